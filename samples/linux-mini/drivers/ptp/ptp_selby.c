// SPDX-License-Identifier: GPL-2.0
/*
 * Selby SP-1 PCIe precision time card
 *
 * A free-running 64-bit nanosecond counter with a frequency trim register;
 * the card raises an interrupt on every PPS edge.
 */
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/ptp_clock_kernel.h>

#define DRV_NAME			"ptp_selby"

#define PCI_VENDOR_ID_SELBY		0x1a23
#define PCI_DEVICE_ID_SELBY_SP1		0x0101

#define SELBY_REG_CTRL			0x00
#define SELBY_REG_TIME_LO		0x08
#define SELBY_REG_TIME_HI		0x0c
#define SELBY_REG_TRIM			0x10
#define SELBY_REG_IRQ_STATUS		0x14
#define SELBY_CTRL_ENABLE		BIT(0)
#define SELBY_CTRL_PPS_IRQ		BIT(1)

struct selby_ptp {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct ptp_clock *clock;
	struct ptp_clock_info info;
};

static int selby_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	struct selby_ptp *priv = container_of(info, struct selby_ptp, info);

	writel((u32)scaled_ppm, priv->regs + SELBY_REG_TRIM);
	return 0;
}

static int selby_gettime(struct ptp_clock_info *info, struct timespec64 *ts)
{
	struct selby_ptp *priv = container_of(info, struct selby_ptp, info);
	u64 ns;

	ns = readl(priv->regs + SELBY_REG_TIME_LO);
	ns |= (u64)readl(priv->regs + SELBY_REG_TIME_HI) << 32;
	*ts = ns_to_timespec64(ns);

	return 0;
}

static irqreturn_t selby_irq(int irq, void *data)
{
	struct ptp_clock_event event = { .type = PTP_CLOCK_PPS };
	struct selby_ptp *priv = data;
	u32 status;

	status = readl(priv->regs + SELBY_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;

	writel(status, priv->regs + SELBY_REG_IRQ_STATUS);
	ptp_clock_event(priv->clock, &event);

	return IRQ_HANDLED;
}

static const struct ptp_clock_info selby_ptp_info = {
	.owner		= THIS_MODULE,
	.name		= "Selby SP-1",
	.max_adj	= 100000000,
	.pps		= 1,
	.adjfine	= selby_adjfine,
	.gettime64	= selby_gettime,
};

static int selby_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct selby_ptp *priv;
	int rc;

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	rc = pcim_iomap_regions(pdev, BIT(0), DRV_NAME);
	if (rc)
		return rc;

	pci_set_master(pdev);
	priv->pdev = pdev;
	priv->regs = pcim_iomap_table(pdev)[0];
	priv->info = selby_ptp_info;
	pci_set_drvdata(pdev, priv);

	rc = devm_request_irq(&pdev->dev, pdev->irq, selby_irq, IRQF_SHARED, DRV_NAME, priv);
	if (rc)
		return rc;

	priv->clock = ptp_clock_register(&priv->info, &pdev->dev);
	if (IS_ERR(priv->clock))
		return PTR_ERR(priv->clock);

	writel(SELBY_CTRL_ENABLE | SELBY_CTRL_PPS_IRQ, priv->regs + SELBY_REG_CTRL);

	return 0;
}

static void selby_remove(struct pci_dev *pdev)
{
	struct selby_ptp *priv = pci_get_drvdata(pdev);

	writel(0, priv->regs + SELBY_REG_CTRL);
	ptp_clock_unregister(priv->clock);
}

static const struct pci_device_id selby_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_SELBY, PCI_DEVICE_ID_SELBY_SP1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, selby_pci_ids);

static struct pci_driver selby_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= selby_pci_ids,
	.probe		= selby_probe,
	.remove		= selby_remove,
};
module_pci_driver(selby_pci_driver);

MODULE_DESCRIPTION("Selby SP-1 PCIe precision time card driver");
MODULE_AUTHOR("Rosalind Pettigrew <rosalind.pettigrew@example.org>");
MODULE_LICENSE("GPL");
