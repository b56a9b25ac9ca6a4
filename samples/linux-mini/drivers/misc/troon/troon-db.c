// SPDX-License-Identifier: GPL-2.0
/*
 * Troon TQ-2 inter-host doorbell bridge
 *
 * BAR 0 holds the doorbell and control registers, BAR 2 a 64 KiB window
 * of memory shared with the host on the other side of the bridge.
 */
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define DRV_NAME			"troon-db"

#define PCI_VENDOR_ID_TROON		0x1b15
#define PCI_DEVICE_ID_TROON_TQ2		0x0202

#define TROON_REG_CTRL			0x00
#define TROON_REG_DOORBELL		0x04
#define TROON_REG_DB_MASK		0x08
#define TROON_CTRL_LINK_EN		BIT(0)
#define TROON_SHM_MAGIC			0x54513200
#define TROON_SHM_HEADER		0x0000

struct troon_bridge {
	struct pci_dev *pdev;
	void __iomem *cfg;
	void __iomem *shm;
	u32 doorbells;
};

static irqreturn_t troon_irq(int irq, void *data)
{
	struct troon_bridge *tq = data;
	u32 db;

	db = readl(tq->cfg + TROON_REG_DOORBELL);
	if (!db)
		return IRQ_NONE;

	writel(db, tq->cfg + TROON_REG_DOORBELL);
	tq->doorbells |= db;

	return IRQ_HANDLED;
}

static int troon_hw_init(struct troon_bridge *tq)
{
	if (readl(tq->shm + TROON_SHM_HEADER) != TROON_SHM_MAGIC)
		return -ENODEV;

	writel(0, tq->cfg + TROON_REG_DB_MASK);
	writel(TROON_CTRL_LINK_EN, tq->cfg + TROON_REG_CTRL);

	return 0;
}

static int troon_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct troon_bridge *tq;
	int rc;

	tq = devm_kzalloc(&pdev->dev, sizeof(*tq), GFP_KERNEL);
	if (!tq)
		return -ENOMEM;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	rc = pcim_iomap_regions(pdev, BIT(0) | BIT(2), DRV_NAME);
	if (rc)
		return rc;

	tq->cfg = pcim_iomap_table(pdev)[0];
	tq->shm = pcim_iomap_table(pdev)[2];

	rc = troon_hw_init(tq);
	if (rc)
		return rc;

	tq->pdev = pdev;
	pci_set_drvdata(pdev, tq);

	return devm_request_irq(&pdev->dev, pdev->irq, troon_irq, IRQF_SHARED, DRV_NAME, tq);
}

static void troon_remove(struct pci_dev *pdev)
{
	struct troon_bridge *tq = pci_get_drvdata(pdev);

	writel(0, tq->cfg + TROON_REG_CTRL);
}

static const struct pci_device_id troon_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_TROON, PCI_DEVICE_ID_TROON_TQ2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, troon_pci_ids);

static struct pci_driver troon_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= troon_pci_ids,
	.probe		= troon_probe,
	.remove		= troon_remove,
};
module_pci_driver(troon_pci_driver);

MODULE_DESCRIPTION("Troon TQ-2 doorbell bridge driver");
MODULE_AUTHOR("Fergus Imrie <fergus.imrie@example.org>");
MODULE_LICENSE("GPL");
