// SPDX-License-Identifier: GPL-2.0
/*
 * Ashby Devices AD-32 PCI GPIO expansion card
 *
 * 32 lines with per-line direction and level registers.  A single MSI
 * reports level changes on lines configured as inputs.
 */
#include <linux/bitops.h>
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_ASHBY		0x1b22
#define PCI_DEVICE_ID_ASHBY_AD32	0x0032

#define ASHBY_GPIO_NGPIO		32
#define ASHBY_GPIO_DIR			0x00	/* 1 = output */
#define ASHBY_GPIO_DATA_IN		0x04
#define ASHBY_GPIO_DATA_OUT		0x08
#define ASHBY_GPIO_EVENT		0x0c

struct ashby_gpio {
	struct gpio_chip gc;
	void __iomem *base;
};

static int ashby_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	struct ashby_gpio *ag = gpiochip_get_data(gc);

	return !!(readl(ag->base + ASHBY_GPIO_DATA_IN) & BIT(offset));
}

static int ashby_gpio_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	struct ashby_gpio *ag = gpiochip_get_data(gc);
	u32 out = readl(ag->base + ASHBY_GPIO_DATA_OUT);

	if (value)
		out |= BIT(offset);
	else
		out &= ~BIT(offset);
	writel(out, ag->base + ASHBY_GPIO_DATA_OUT);

	return 0;
}

static int ashby_gpio_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	struct ashby_gpio *ag = gpiochip_get_data(gc);

	if (readl(ag->base + ASHBY_GPIO_DIR) & BIT(offset))
		return GPIO_LINE_DIRECTION_OUT;

	return GPIO_LINE_DIRECTION_IN;
}

static irqreturn_t ashby_gpio_irq(int irq, void *data)
{
	struct ashby_gpio *ag = data;
	u32 events = readl(ag->base + ASHBY_GPIO_EVENT);

	if (!events)
		return IRQ_NONE;

	writel(events, ag->base + ASHBY_GPIO_EVENT);

	return IRQ_HANDLED;
}

static int ashby_gpio_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct ashby_gpio *ag;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ag = devm_kzalloc(dev, sizeof(*ag), GFP_KERNEL);
	if (!ag)
		return -ENOMEM;

	ag->base = pcim_iomap_region(pdev, 0, "gpio-ashby");
	if (IS_ERR(ag->base))
		return PTR_ERR(ag->base);

	ret = pcim_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), ashby_gpio_irq, IRQF_SHARED,
			       "gpio-ashby", ag);
	if (ret)
		return ret;

	ag->gc.label = "gpio-ashby";
	ag->gc.parent = dev;
	ag->gc.owner = THIS_MODULE;
	ag->gc.base = -1;
	ag->gc.ngpio = ASHBY_GPIO_NGPIO;
	ag->gc.get = ashby_gpio_get;
	ag->gc.set = ashby_gpio_set;
	ag->gc.get_direction = ashby_gpio_get_direction;

	return devm_gpiochip_add_data(dev, &ag->gc, ag);
}

static const struct pci_device_id ashby_gpio_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_ASHBY, PCI_DEVICE_ID_ASHBY_AD32) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ashby_gpio_pci_ids);

static struct pci_driver ashby_gpio_pci_driver = {
	.name		= "gpio-ashby-pci",
	.id_table	= ashby_gpio_pci_ids,
	.probe		= ashby_gpio_probe,
};
module_pci_driver(ashby_gpio_pci_driver);

MODULE_DESCRIPTION("Ashby AD-32 PCI GPIO driver");
MODULE_AUTHOR("Yusuf Delacroix <yusuf.delacroix@example.org>");
MODULE_LICENSE("GPL");
