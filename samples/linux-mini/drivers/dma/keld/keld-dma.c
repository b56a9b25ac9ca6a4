// SPDX-License-Identifier: GPL-2.0
/*
 * Keld KD-4 memory-to-memory DMA engine
 *
 * The engine's registers sit in BAR 0; its descriptor memory is on the
 * card, behind BAR 2, and the driver writes descriptors there directly.
 */
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define DRV_NAME			"keld-dma"

#define PCI_VENDOR_ID_KELD		0x1b41
#define PCI_DEVICE_ID_KELD_KD4		0x0400

#define KELD_CFG_BAR			0
#define KELD_MEM_BAR			2

#define KELD_REG_CTRL			0x00
#define KELD_REG_STATUS			0x04
#define KELD_REG_DESC_BASE		0x08
#define KELD_CTRL_ENABLE		BIT(0)

struct keld_dma {
	struct dma_device dma;
	struct pci_dev *pdev;
	void __iomem *cfg;
	void __iomem *desc;
};

static irqreturn_t keld_dma_irq(int irq, void *data)
{
	struct keld_dma *kd = data;
	u32 status;

	status = readl(kd->cfg + KELD_REG_STATUS);
	if (!status)
		return IRQ_NONE;

	writel(status, kd->cfg + KELD_REG_STATUS);

	return IRQ_HANDLED;
}

static int keld_dma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct keld_dma *kd;
	int err;

	kd = devm_kzalloc(&pdev->dev, sizeof(*kd), GFP_KERNEL);
	if (!kd)
		return -ENOMEM;

	err = pcim_enable_device(pdev);
	if (err)
		return err;

	err = pcim_iomap_regions(pdev, (1 << KELD_CFG_BAR) | (1 << KELD_MEM_BAR), DRV_NAME);
	if (err)
		return dev_err_probe(&pdev->dev, err, "cannot map BARs\n");

	kd->cfg = pcim_iomap_table(pdev)[KELD_CFG_BAR];
	kd->desc = pcim_iomap_table(pdev)[KELD_MEM_BAR];

	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		return err;

	pci_set_master(pdev);
	kd->pdev = pdev;
	kd->dma.dev = &pdev->dev;
	dma_cap_set(DMA_MEMCPY, kd->dma.cap_mask);
	INIT_LIST_HEAD(&kd->dma.channels);
	pci_set_drvdata(pdev, kd);

	err = devm_request_irq(&pdev->dev, pdev->irq, keld_dma_irq, IRQF_SHARED, DRV_NAME, kd);
	if (err)
		return err;

	writel(KELD_CTRL_ENABLE, kd->cfg + KELD_REG_CTRL);

	return dma_async_device_register(&kd->dma);
}

static void keld_dma_remove(struct pci_dev *pdev)
{
	struct keld_dma *kd = pci_get_drvdata(pdev);

	dma_async_device_unregister(&kd->dma);
	writel(0, kd->cfg + KELD_REG_CTRL);
}

static const struct pci_device_id keld_dma_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_KELD, PCI_DEVICE_ID_KELD_KD4) },
	{ }
};
MODULE_DEVICE_TABLE(pci, keld_dma_pci_ids);

static struct pci_driver keld_dma_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= keld_dma_pci_ids,
	.probe		= keld_dma_probe,
	.remove		= keld_dma_remove,
};
module_pci_driver(keld_dma_pci_driver);

MODULE_DESCRIPTION("Keld KD-4 DMA engine driver");
MODULE_AUTHOR("Solveig Brennan <solveig.brennan@example.com>");
MODULE_LICENSE("GPL");
