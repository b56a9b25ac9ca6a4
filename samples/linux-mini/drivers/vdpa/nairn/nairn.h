/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nairn NV-2 vDPA DPU: definitions shared by the driver files
 */
#ifndef __NAIRN_H__
#define __NAIRN_H__

#include <linux/pci.h>
#include <linux/vdpa.h>

#define PCI_VENDOR_ID_NAIRN		0x1f2d
#define PCI_DEVICE_ID_NAIRN_NV2		0x0002

/* The PF, not the VFs, owns the interrupt vectors */
#define NAIRN_CFG_FLAG_IRQ_PF		BIT(0)

#define NAIRN_FLAG_ON(p, f)		((p)->cfg.flags & (f))

struct nairn_cfg {
	u32 flags;
	u32 nr_vqs;
};

struct nairn_pf {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct nairn_cfg cfg;
};

int nairn_read_cfg(struct nairn_pf *pf);
void nairn_free_cfg(struct nairn_cfg *cfg);

#endif /* __NAIRN_H__ */
