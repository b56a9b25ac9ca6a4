// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ordell OC-7 security coprocessor: true random number generator
 *
 * The coprocessor signals "entropy pool full" through one MSI.  Without an
 * interrupt the driver falls back to polling the pool level.
 */
#include <linux/completion.h>
#include <linux/hw_random.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_ORDELL		0x1d81
#define PCI_DEVICE_ID_ORDELL_OC7	0x0c07

#define ORDELL_REG_CTRL			0x00
#define ORDELL_REG_STATUS		0x04
#define ORDELL_REG_DATA			0x08
#define ORDELL_CTRL_ENABLE		BIT(0)
#define ORDELL_CTRL_IRQ_EN		BIT(1)
#define ORDELL_STATUS_FULL		BIT(0)

static bool poll_mode;
module_param(poll_mode, bool, 0444);
MODULE_PARM_DESC(poll_mode, "Poll the entropy pool instead of using MSI");

struct ordell_dev {
	struct hwrng rng;
	void __iomem *regs;
	struct completion pool_full;
	bool irqs_allocated;
};

static irqreturn_t ordell_irq(int irq, void *data)
{
	struct ordell_dev *od = data;

	if (!(readl(od->regs + ORDELL_REG_STATUS) & ORDELL_STATUS_FULL))
		return IRQ_NONE;

	complete(&od->pool_full);

	return IRQ_HANDLED;
}

static int ordell_rng_read(struct hwrng *rng, void *buf, size_t max, bool wait)
{
	struct ordell_dev *od = container_of(rng, struct ordell_dev, rng);

	if (!(readl(od->regs + ORDELL_REG_STATUS) & ORDELL_STATUS_FULL))
		return 0;

	*(u32 *)buf = readl(od->regs + ORDELL_REG_DATA);

	return sizeof(u32);
}

static int ordell_setup_irq(struct pci_dev *pdev, struct ordell_dev *od)
{
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;

	ret = request_irq(pci_irq_vector(pdev, 0), ordell_irq, 0, "ordell-crypto", od);
	if (ret) {
		pci_free_irq_vectors(pdev);
		return ret;
	}

	od->irqs_allocated = true;

	return 0;
}

static int ordell_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ordell_dev *od;
	u32 ctrl = ORDELL_CTRL_ENABLE;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	od = devm_kzalloc(&pdev->dev, sizeof(*od), GFP_KERNEL);
	if (!od)
		return -ENOMEM;

	od->regs = pcim_iomap_region(pdev, 0, "ordell-crypto");
	if (IS_ERR(od->regs))
		return PTR_ERR(od->regs);

	init_completion(&od->pool_full);
	pci_set_drvdata(pdev, od);

	if (!poll_mode) {
		ret = ordell_setup_irq(pdev, od);
		if (ret)
			return ret;
		ctrl |= ORDELL_CTRL_IRQ_EN;
	}

	writel(ctrl, od->regs + ORDELL_REG_CTRL);

	od->rng.name = "ordell-oc7";
	od->rng.read = ordell_rng_read;

	return hwrng_register(&od->rng);
}

static void ordell_remove(struct pci_dev *pdev)
{
	struct ordell_dev *od = pci_get_drvdata(pdev);

	hwrng_unregister(&od->rng);
	if (od->irqs_allocated)
		free_irq(pci_irq_vector(pdev, 0), od);
	writel(0, od->regs + ORDELL_REG_CTRL);
	if (od->irqs_allocated)
		pci_free_irq_vectors(pdev);
}

static const struct pci_device_id ordell_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_ORDELL, PCI_DEVICE_ID_ORDELL_OC7) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ordell_pci_ids);

static struct pci_driver ordell_pci_driver = {
	.name		= "ordell-crypto",
	.id_table	= ordell_pci_ids,
	.probe		= ordell_probe,
	.remove		= ordell_remove,
};
module_pci_driver(ordell_pci_driver);

MODULE_DESCRIPTION("Ordell OC-7 security coprocessor RNG driver");
MODULE_AUTHOR("Saoirse Brannigan <saoirse.brannigan@example.com>");
MODULE_LICENSE("GPL");
