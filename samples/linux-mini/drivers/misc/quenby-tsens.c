// SPDX-License-Identifier: GPL-2.0
/*
 * Quenby QT-100 telemetry sensor hub
 *
 * The hub samples up to 32 on-board sensors and raises an interrupt when a
 * sample crosses its programmed window.  Samples are read through a
 * character device.
 */
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_QUENBY		0x1e2b
#define PCI_DEVICE_ID_QUENBY_QT100	0x0100

#define QUENBY_REG_CTRL			0x00
#define QUENBY_REG_ALERT		0x04
#define QUENBY_CTRL_RUN			BIT(0)
#define QUENBY_CTRL_ALERT_EN		BIT(1)

struct quenby_priv {
	struct miscdevice mdev;
	void __iomem *regs;
	u32 last_alert;
};

static irqreturn_t quenby_alert_irq(int irq, void *data)
{
	struct quenby_priv *priv = data;

	priv->last_alert = readl(priv->regs + QUENBY_REG_ALERT);
	if (!priv->last_alert)
		return IRQ_NONE;

	writel(priv->last_alert, priv->regs + QUENBY_REG_ALERT);

	return IRQ_HANDLED;
}

static void quenby_hw_stop(struct quenby_priv *priv)
{
	writel(0, priv->regs + QUENBY_REG_CTRL);
}

static const struct file_operations quenby_fops = {
	.owner		= THIS_MODULE,
};

static int quenby_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct quenby_priv *priv;
	int ret;

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	priv->regs = pcim_iomap_region(pdev, 0, "quenby-tsens");
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = request_irq(pci_irq_vector(pdev, 0), quenby_alert_irq, IRQF_SHARED,
			  "quenby-tsens", priv);
	if (ret)
		return ret;

	priv->mdev.minor = MISC_DYNAMIC_MINOR;
	priv->mdev.name = "quenby-tsens";
	priv->mdev.fops = &quenby_fops;
	priv->mdev.parent = &pdev->dev;

	ret = misc_register(&priv->mdev);
	if (ret) {
		free_irq(pci_irq_vector(pdev, 0), priv);
		return ret;
	}

	pci_set_drvdata(pdev, priv);
	writel(QUENBY_CTRL_RUN | QUENBY_CTRL_ALERT_EN, priv->regs + QUENBY_REG_CTRL);

	return 0;
}

static void quenby_remove(struct pci_dev *pdev)
{
	struct quenby_priv *priv = pci_get_drvdata(pdev);

	misc_deregister(&priv->mdev);
	quenby_hw_stop(priv);
	free_irq(pci_irq_vector(pdev, 0), priv);

	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id quenby_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_QUENBY, PCI_DEVICE_ID_QUENBY_QT100) },
	{ }
};
MODULE_DEVICE_TABLE(pci, quenby_pci_ids);

static struct pci_driver quenby_pci_driver = {
	.name		= "quenby-tsens",
	.id_table	= quenby_pci_ids,
	.probe		= quenby_probe,
	.remove		= quenby_remove,
};
module_pci_driver(quenby_pci_driver);

MODULE_DESCRIPTION("Quenby QT-100 telemetry sensor hub driver");
MODULE_AUTHOR("Tobias Ferreira-Lund <tobias.ferreira-lund@example.org>");
MODULE_LICENSE("GPL");
