// SPDX-License-Identifier: GPL-2.0
/*
 * Alston AL-5 chassis tamper monitor
 *
 * Counts chassis intrusion events and reports them through an interrupt;
 * the counters survive a warm reset.
 */
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define DRV_NAME			"alston"

#define PCI_VENDOR_ID_ALSTON		0x1f39
#define PCI_DEVICE_ID_ALSTON_AL5	0x0005

#define ALSTON_REG_ID			0x00
#define ALSTON_REG_CTRL			0x04
#define ALSTON_REG_EVENTS		0x08
#define ALSTON_ID_MAGIC			0x414c3035
#define ALSTON_CTRL_RESET		BIT(0)
#define ALSTON_CTRL_IRQ_EN		BIT(1)

struct alston {
	struct pci_dev *pdev;
	void __iomem *regs;
	u32 events;
};

static irqreturn_t alston_irq(int irq, void *data)
{
	struct alston *al = data;
	u32 events;

	events = readl(al->regs + ALSTON_REG_EVENTS);
	if (!events)
		return IRQ_NONE;

	writel(events, al->regs + ALSTON_REG_EVENTS);
	al->events += events;

	return IRQ_HANDLED;
}

static int alston_hw_init(struct alston *al)
{
	al->regs = pcim_iomap_table(al->pdev)[0];
	if (!al->regs)
		return -ENOMEM;

	if (readl(al->regs + ALSTON_REG_ID) != ALSTON_ID_MAGIC)
		return -ENODEV;

	writel(ALSTON_CTRL_RESET, al->regs + ALSTON_REG_CTRL);

	return 0;
}

static int alston_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct alston *al;
	int rc;

	al = devm_kzalloc(&pdev->dev, sizeof(*al), GFP_KERNEL);
	if (!al)
		return -ENOMEM;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	rc = pcim_iomap_regions(pdev, BIT(0), DRV_NAME);
	if (rc)
		return rc;

	al->pdev = pdev;
	rc = alston_hw_init(al);
	if (rc)
		return rc;

	pci_set_drvdata(pdev, al);

	rc = devm_request_irq(&pdev->dev, pdev->irq, alston_irq, IRQF_SHARED, DRV_NAME, al);
	if (rc)
		return rc;

	writel(ALSTON_CTRL_IRQ_EN, al->regs + ALSTON_REG_CTRL);

	return 0;
}

static void alston_remove(struct pci_dev *pdev)
{
	struct alston *al = pci_get_drvdata(pdev);

	writel(0, al->regs + ALSTON_REG_CTRL);
}

static const struct pci_device_id alston_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_ALSTON, PCI_DEVICE_ID_ALSTON_AL5) },
	{ }
};
MODULE_DEVICE_TABLE(pci, alston_pci_ids);

static struct pci_driver alston_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= alston_pci_ids,
	.probe		= alston_probe,
	.remove		= alston_remove,
};
module_pci_driver(alston_pci_driver);

MODULE_DESCRIPTION("Alston AL-5 chassis tamper monitor driver");
MODULE_AUTHOR("Bronwen Eckersley <bronwen.eckersley@example.org>");
MODULE_LICENSE("GPL");
