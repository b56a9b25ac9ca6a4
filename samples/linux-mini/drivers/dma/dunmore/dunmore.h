/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dunmore DMA controllers - definitions shared by the DM-400 ("A") and the
 * legacy DM-100 ("B") PCI drivers.
 */
#ifndef __DUNMORE_H__
#define __DUNMORE_H__

#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_DUNMORE		0x1a97
#define PCI_DEVICE_ID_DUNMORE_DM100	0x0100
#define PCI_DEVICE_ID_DUNMORE_DM400	0x0400

#define DUNMORE_REG_CTRL		0x00
#define DUNMORE_REG_IRQ_STATUS		0x08
#define DUNMORE_CTRL_ENABLE		BIT(0)

struct dunmore_dev {
	struct pci_dev		*pdev;
	struct dma_device	dma;
	void __iomem		*regs;
	unsigned int		nvec;
};

extern struct pci_driver dunmore_a_pci_driver;
extern struct pci_driver dunmore_b_pci_driver;

irqreturn_t dunmore_irq(int irq, void *data);
int dunmore_alloc_vectors(struct pci_dev *pdev, unsigned int max_vecs);
int dunmore_dma_register(struct dunmore_dev *dd);
void dunmore_dma_unregister(struct dunmore_dev *dd);

#endif /* __DUNMORE_H__ */
