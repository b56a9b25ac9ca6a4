// SPDX-License-Identifier: GPL-2.0
/*
 * Keswick KP-1 platform power management controller
 *
 * The controller reports lid, power button and AC adapter events through
 * one interrupt; the events are forwarded as ACPI-like notifications.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_KESWICK		0x1b93
#define PCI_DEVICE_ID_KESWICK_KP1	0x0001

#define KESWICK_REG_EVENT		0x00
#define KESWICK_REG_EVENT_EN		0x04
#define KESWICK_EVENT_ALL		GENMASK(2, 0)

struct keswick_pmc {
	void __iomem *regs;
	u32 events;
};

static irqreturn_t keswick_pmc_irq(int irq, void *data)
{
	struct keswick_pmc *pmc = data;

	pmc->events = readl(pmc->regs + KESWICK_REG_EVENT);
	writel(pmc->events, pmc->regs + KESWICK_REG_EVENT);

	return pmc->events ? IRQ_HANDLED : IRQ_NONE;
}

static void keswick_pmc_stop(struct keswick_pmc *pmc)
{
	writel(0, pmc->regs + KESWICK_REG_EVENT_EN);
}

static void keswick_pmc_teardown(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);

	keswick_pmc_stop(dev_get_drvdata(dev));
	pci_free_irq_vectors(pdev);
}

static int keswick_pmc_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct keswick_pmc *pmc;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	pmc = devm_kzalloc(&pdev->dev, sizeof(*pmc), GFP_KERNEL);
	if (!pmc)
		return -ENOMEM;

	pmc->regs = pcim_iomap_region(pdev, 0, "keswick-pmc");
	if (IS_ERR(pmc->regs))
		return PTR_ERR(pmc->regs);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), keswick_pmc_irq,
			       IRQF_SHARED, "keswick-pmc", pmc);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, pmc);
	writel(KESWICK_EVENT_ALL, pmc->regs + KESWICK_REG_EVENT_EN);

	return 0;
}

static void keswick_pmc_remove(struct pci_dev *pdev)
{
	keswick_pmc_teardown(&pdev->dev);
}

static const struct pci_device_id keswick_pmc_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_KESWICK, PCI_DEVICE_ID_KESWICK_KP1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, keswick_pmc_ids);

static struct pci_driver keswick_pmc_driver = {
	.name		= "keswick-pmc",
	.id_table	= keswick_pmc_ids,
	.probe		= keswick_pmc_probe,
	.remove		= keswick_pmc_remove,
};
module_pci_driver(keswick_pmc_driver);

MODULE_DESCRIPTION("Keswick KP-1 power management controller driver");
MODULE_AUTHOR("Gethin Saltmarsh <gethin.saltmarsh@example.com>");
MODULE_LICENSE("GPL");
