// SPDX-License-Identifier: GPL-2.0-only
/*
 * Oban OX-3 crypto offload card
 *
 * BAR 0 carries the control registers, BAR 2 the command ring, which
 * lives in card memory.  Requests complete through one interrupt.
 */
#include <linux/bits.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define DRV_NAME			"oban-crypto"

#define PCI_VENDOR_ID_OBAN		0x1c52
#define PCI_DEVICE_ID_OBAN_OX3		0x0003

#define OBAN_REG_CTRL			0x00
#define OBAN_REG_IRQ_STATUS		0x04
#define OBAN_REG_RING_HEAD		0x10
#define OBAN_CTRL_ENABLE		BIT(0)
#define OBAN_CTRL_IRQ_EN		BIT(1)

struct oban_dev {
	struct pci_dev *pdev;
	void __iomem *cfg;
	void __iomem *mem;
	u32 completed;
};

static irqreturn_t oban_irq(int irq, void *data)
{
	struct oban_dev *od = data;
	u32 status;

	status = readl(od->cfg + OBAN_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;

	writel(status, od->cfg + OBAN_REG_IRQ_STATUS);
	od->completed += hweight32(status);

	return IRQ_HANDLED;
}

static int oban_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct oban_dev *od;
	void __iomem * const *iomap;
	int rc;

	od = devm_kzalloc(&pdev->dev, sizeof(*od), GFP_KERNEL);
	if (!od)
		return -ENOMEM;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	rc = pcim_iomap_regions(pdev, BIT(0) | BIT(2), DRV_NAME);
	if (rc)
		return rc;

	iomap = pcim_iomap_table(pdev);
	if (!iomap)
		return -ENOMEM;

	od->cfg = iomap[0];
	od->mem = iomap[2];
	od->pdev = pdev;

	rc = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(48));
	if (rc)
		return rc;

	pci_set_master(pdev);
	pci_set_drvdata(pdev, od);

	rc = devm_request_irq(&pdev->dev, pdev->irq, oban_irq, IRQF_SHARED, DRV_NAME, od);
	if (rc)
		return rc;

	writel(0, od->mem + OBAN_REG_RING_HEAD);
	writel(OBAN_CTRL_ENABLE | OBAN_CTRL_IRQ_EN, od->cfg + OBAN_REG_CTRL);

	return 0;
}

static void oban_remove(struct pci_dev *pdev)
{
	struct oban_dev *od = pci_get_drvdata(pdev);

	writel(0, od->cfg + OBAN_REG_CTRL);
}

static const struct pci_device_id oban_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_OBAN, PCI_DEVICE_ID_OBAN_OX3) },
	{ }
};
MODULE_DEVICE_TABLE(pci, oban_pci_ids);

static struct pci_driver oban_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= oban_pci_ids,
	.probe		= oban_probe,
	.remove		= oban_remove,
};
module_pci_driver(oban_pci_driver);

MODULE_DESCRIPTION("Oban OX-3 crypto offload driver");
MODULE_AUTHOR("Catriona Dunleavy <catriona.dunleavy@example.com>");
MODULE_LICENSE("GPL");
