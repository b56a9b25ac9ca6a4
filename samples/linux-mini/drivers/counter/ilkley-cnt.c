// SPDX-License-Identifier: GPL-2.0
/*
 * Ilkley IC-2 quadrature encoder counter
 *
 * Two 32-bit counters driven by quadrature encoder inputs; the engine
 * raises an interrupt on counter overflow.
 */
#include <linux/counter.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_ILKLEY		0x1b2c
#define PCI_DEVICE_ID_ILKLEY_IC2	0x0c02

#define ILKLEY_REG_CTRL			0x00
#define ILKLEY_REG_OVERFLOW		0x04
#define ILKLEY_CTRL_RUN			BIT(0)

struct ilkley_priv {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct counter_device *counter;
};

static irqreturn_t ilkley_irq(int irq, void *data)
{
	struct ilkley_priv *priv = data;
	u32 ovf = readl(priv->regs + ILKLEY_REG_OVERFLOW);

	writel(ovf, priv->regs + ILKLEY_REG_OVERFLOW);
	counter_push_event(priv->counter, COUNTER_EVENT_OVERFLOW, 0);

	return IRQ_HANDLED;
}

/**
 * ilkley_teardown - stop the engine and free allocated IRQ vectors
 * @priv: driver private data
 *
 * Called on removal, after the counter device has been unregistered.
 */
static void ilkley_teardown(struct ilkley_priv *priv)
{
	writel(0, priv->regs + ILKLEY_REG_CTRL);
	pci_free_irq_vectors(priv->pdev);
}

static int ilkley_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct counter_device *counter;
	struct ilkley_priv *priv;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	counter = devm_counter_alloc(&pdev->dev, sizeof(*priv));
	if (!counter)
		return -ENOMEM;

	priv = counter_priv(counter);
	priv->pdev = pdev;
	priv->counter = counter;
	priv->regs = pcim_iomap_region(pdev, 0, "ilkley-cnt");
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), ilkley_irq, IRQF_SHARED,
			       "ilkley-cnt", priv);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, priv);

	ret = counter_add(counter);
	if (ret)
		return ret;

	writel(ILKLEY_CTRL_RUN, priv->regs + ILKLEY_REG_CTRL);

	return 0;
}

static void ilkley_remove(struct pci_dev *pdev)
{
	struct ilkley_priv *priv = pci_get_drvdata(pdev);

	counter_unregister(priv->counter);
	ilkley_teardown(priv);
}

static const struct pci_device_id ilkley_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_ILKLEY, PCI_DEVICE_ID_ILKLEY_IC2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ilkley_pci_ids);

static struct pci_driver ilkley_pci_driver = {
	.name		= "ilkley-cnt",
	.id_table	= ilkley_pci_ids,
	.probe		= ilkley_probe,
	.remove		= ilkley_remove,
};
module_pci_driver(ilkley_pci_driver);

MODULE_DESCRIPTION("Ilkley IC-2 quadrature encoder counter driver");
MODULE_AUTHOR("Tamsin Oyelowo <tamsin.oyelowo@example.com>");
MODULE_LICENSE("GPL");
