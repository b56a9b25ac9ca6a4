// SPDX-License-Identifier: GPL-2.0
/*
 * Dunmore DMA controllers - common code and module registration
 *
 * Copyright (C) 2022 Dunmore Data Systems
 */
#include <linux/io.h>
#include <linux/module.h>

#include "dunmore.h"

irqreturn_t dunmore_irq(int irq, void *data)
{
	struct dunmore_dev *dd = data;
	u32 status = readl(dd->regs + DUNMORE_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;

	writel(status, dd->regs + DUNMORE_REG_IRQ_STATUS);

	return IRQ_HANDLED;
}

/*
 * Single MSI or INTx setup.  Only the DM-100 glue uses this; the DM-400
 * allocates its per-channel MSI-X vectors itself.
 */
int dunmore_alloc_vectors(struct pci_dev *pdev, unsigned int max_vecs)
{
	int nvec;

	nvec = pci_alloc_irq_vectors(pdev, 1, max_vecs, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (nvec < 0)
		dev_err(&pdev->dev, "no interrupt vectors: %d\n", nvec);

	return nvec;
}

int dunmore_dma_register(struct dunmore_dev *dd)
{
	dma_cap_set(DMA_MEMCPY, dd->dma.cap_mask);
	dd->dma.dev = &dd->pdev->dev;
	writel(DUNMORE_CTRL_ENABLE, dd->regs + DUNMORE_REG_CTRL);

	return dma_async_device_register(&dd->dma);
}

void dunmore_dma_unregister(struct dunmore_dev *dd)
{
	dma_async_device_unregister(&dd->dma);
	writel(0, dd->regs + DUNMORE_REG_CTRL);
}

static int __init dunmore_init(void)
{
	int ret;

	ret = pci_register_driver(&dunmore_a_pci_driver);
	if (ret)
		return ret;

	ret = pci_register_driver(&dunmore_b_pci_driver);
	if (ret)
		pci_unregister_driver(&dunmore_a_pci_driver);

	return ret;
}
module_init(dunmore_init);

static void __exit dunmore_exit(void)
{
	pci_unregister_driver(&dunmore_b_pci_driver);
	pci_unregister_driver(&dunmore_a_pci_driver);
}
module_exit(dunmore_exit);

MODULE_DESCRIPTION("Dunmore DM-100/DM-400 DMA controller driver");
MODULE_AUTHOR("Lorcan Whitfield <lorcan.whitfield@example.com>");
MODULE_LICENSE("GPL");
