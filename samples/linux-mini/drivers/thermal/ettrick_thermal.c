// SPDX-License-Identifier: GPL-2.0
/*
 * Ettrick ET-3 thermal management unit
 *
 * Three sensor zones, each with a programmable trip point; a zone that
 * crosses its trip point raises the unit's single MSI.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_ETTRICK		0x1e7c
#define PCI_DEVICE_ID_ETTRICK_ET3	0x0e03

#define ETTRICK_NR_ZONES		3
#define ETTRICK_REG_CTRL		0x00
#define ETTRICK_REG_TRIPPED		0x04
#define ETTRICK_REG_ZONE_EN(z)		(0x10 + (z) * 4)
#define ETTRICK_CTRL_RUN		BIT(0)

struct ettrick_priv {
	void __iomem *regs;
	u32 tripped;
};

static irqreturn_t ettrick_irq(int irq, void *data)
{
	struct ettrick_priv *priv = data;

	priv->tripped = readl(priv->regs + ETTRICK_REG_TRIPPED);
	writel(priv->tripped, priv->regs + ETTRICK_REG_TRIPPED);

	return priv->tripped ? IRQ_HANDLED : IRQ_NONE;
}

static int ettrick_zone_enable(struct ettrick_priv *priv, unsigned int zone)
{
	writel(1, priv->regs + ETTRICK_REG_ZONE_EN(zone));

	return readl(priv->regs + ETTRICK_REG_ZONE_EN(zone)) ? 0 : -EIO;
}

static int ettrick_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ettrick_priv *priv;
	unsigned int i;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;

	priv->regs = pcim_iomap_region(pdev, 0, "ettrick-thermal");
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), ettrick_irq, 0,
			       "ettrick-thermal", priv);
	if (ret)
		goto err_free_vectors;

	for (i = 0; i < ETTRICK_NR_ZONES; i++) {
		int ret = ettrick_zone_enable(priv, i);

		if (ret) {
			dev_err(&pdev->dev, "zone %u does not start: %d\n", i, ret);
			goto err_free_vectors;
		}
	}

	writel(ETTRICK_CTRL_RUN, priv->regs + ETTRICK_REG_CTRL);

	return 0;

err_free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

static const struct pci_device_id ettrick_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_ETTRICK, PCI_DEVICE_ID_ETTRICK_ET3) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ettrick_pci_ids);

static struct pci_driver ettrick_pci_driver = {
	.name		= "ettrick-thermal",
	.id_table	= ettrick_pci_ids,
	.probe		= ettrick_probe,
};
module_pci_driver(ettrick_pci_driver);

MODULE_DESCRIPTION("Ettrick ET-3 thermal management unit driver");
MODULE_AUTHOR("Anwen Castellano <anwen.castellano@example.com>");
MODULE_LICENSE("GPL");
