// SPDX-License-Identifier: GPL-2.0
/*
 * Dunmore DM-100 PCI glue (legacy part, manual resource management)
 */
#include <linux/io.h>

#include "dunmore.h"

static int dunmore_b_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dunmore_dev *dd;
	int ret;

	dd = devm_kzalloc(&pdev->dev, sizeof(*dd), GFP_KERNEL);
	if (!dd)
		return -ENOMEM;

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;

	pci_set_master(pdev);
	dd->pdev = pdev;

	ret = pci_request_regions(pdev, "dunmore-b");
	if (ret)
		goto err_disable;

	dd->regs = pci_iomap(pdev, 0, 0);
	if (!dd->regs) {
		ret = -ENOMEM;
		goto err_release;
	}

	ret = dunmore_alloc_vectors(pdev, 1);
	if (ret < 0)
		goto err_unmap;
	dd->nvec = ret;

	ret = request_irq(pci_irq_vector(pdev, 0), dunmore_irq, IRQF_SHARED, "dunmore-b", dd);
	if (ret)
		goto err_free_vectors;

	pci_set_drvdata(pdev, dd);

	ret = dunmore_dma_register(dd);
	if (ret)
		goto err_free_irq;

	return 0;

err_free_irq:
	free_irq(pci_irq_vector(pdev, 0), dd);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_unmap:
	pci_iounmap(pdev, dd->regs);
err_release:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
	return ret;
}

static void dunmore_b_remove(struct pci_dev *pdev)
{
	struct dunmore_dev *dd = pci_get_drvdata(pdev);

	dunmore_dma_unregister(dd);
	free_irq(pci_irq_vector(pdev, 0), dd);
	pci_free_irq_vectors(pdev);
	pci_iounmap(pdev, dd->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

static const struct pci_device_id dunmore_b_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_DUNMORE, PCI_DEVICE_ID_DUNMORE_DM100) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dunmore_b_ids);

struct pci_driver dunmore_b_pci_driver = {
	.name		= "dunmore-b",
	.id_table	= dunmore_b_ids,
	.probe		= dunmore_b_probe,
	.remove		= dunmore_b_remove,
};
