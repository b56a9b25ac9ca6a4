// SPDX-License-Identifier: GPL-2.0
/*
 * Dunmore DM-400 PCI glue: one MSI-X vector per channel, device managed
 */
#include <linux/io.h>

#include "dunmore.h"

#define DUNMORE_A_MAX_VECS	8

static int dunmore_a_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dunmore_dev *dd;
	int ret;

	dd = devm_kzalloc(&pdev->dev, sizeof(*dd), GFP_KERNEL);
	if (!dd)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	pci_set_master(pdev);
	dd->pdev = pdev;

	dd->regs = pcim_iomap_region(pdev, 0, "dunmore-a");
	if (IS_ERR(dd->regs))
		return PTR_ERR(dd->regs);

	ret = pci_alloc_irq_vectors(pdev, 1, DUNMORE_A_MAX_VECS, PCI_IRQ_MSIX | PCI_IRQ_MSI);
	if (ret < 0)
		return ret;
	dd->nvec = ret;

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), dunmore_irq, 0,
			       "dunmore-a", dd);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, dd);

	return dunmore_dma_register(dd);
}

static void dunmore_a_remove(struct pci_dev *pdev)
{
	struct dunmore_dev *dd = pci_get_drvdata(pdev);

	dunmore_dma_unregister(dd);
}

static const struct pci_device_id dunmore_a_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_DUNMORE, PCI_DEVICE_ID_DUNMORE_DM400) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dunmore_a_ids);

struct pci_driver dunmore_a_pci_driver = {
	.name		= "dunmore-a",
	.id_table	= dunmore_a_ids,
	.probe		= dunmore_a_probe,
	.remove		= dunmore_a_remove,
};
