// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nairn NV-2 vDPA DPU: PCI physical function
 *
 * The DPU firmware says in its configuration block whether the interrupt
 * vectors of the virtqueues belong to the PF or to the VFs.
 */
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "nairn.h"

static int nairn_vdpa_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct nairn_pf *pf;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	pf = devm_kzalloc(&pdev->dev, sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;

	pf->pdev = pdev;
	pf->bar = pcim_iomap_region(pdev, 0, "nairn-vdpa");
	if (IS_ERR(pf->bar))
		return PTR_ERR(pf->bar);

	ret = nairn_read_cfg(pf);
	if (ret)
		return ret;

	if (NAIRN_FLAG_ON(pf, NAIRN_CFG_FLAG_IRQ_PF)) {
		ret = pci_alloc_irq_vectors(pdev, pf->cfg.nr_vqs, pf->cfg.nr_vqs,
					    PCI_IRQ_MSIX);
		if (ret < 0) {
			nairn_free_cfg(&pf->cfg);
			return ret;
		}
	}

	pci_set_drvdata(pdev, pf);

	return 0;
}

static void nairn_vdpa_remove(struct pci_dev *pdev)
{
	struct nairn_pf *pf = pci_get_drvdata(pdev);

	/* If IRQs are allocated from the PF, we should free the IRQs */
	if (NAIRN_FLAG_ON(pf, NAIRN_CFG_FLAG_IRQ_PF))
		pci_free_irq_vectors(pdev);

	nairn_free_cfg(&pf->cfg);
}

static const struct pci_device_id nairn_vdpa_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_NAIRN, PCI_DEVICE_ID_NAIRN_NV2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, nairn_vdpa_ids);

static struct pci_driver nairn_vdpa_driver = {
	.name		= "nairn-vdpa",
	.id_table	= nairn_vdpa_ids,
	.probe		= nairn_vdpa_probe,
	.remove		= nairn_vdpa_remove,
};
module_pci_driver(nairn_vdpa_driver);

MODULE_DESCRIPTION("Nairn NV-2 vDPA DPU PF driver");
MODULE_AUTHOR("Euan Macaskill <euan.macaskill@example.org>");
MODULE_LICENSE("GPL");
