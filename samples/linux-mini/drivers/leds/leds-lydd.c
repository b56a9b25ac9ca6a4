// SPDX-License-Identifier: GPL-2.0
/*
 * Lydd LL-1 front panel status LED
 *
 * A PCI function of its own whose only register is the LED's PWM duty
 * cycle; the card has no interrupt.
 */
#include <linux/bits.h>
#include <linux/io.h>
#include <linux/leds.h>
#include <linux/module.h>
#include <linux/pci.h>

#define DRV_NAME			"leds-lydd"

#define PCI_VENDOR_ID_LYDD		0x1d66
#define PCI_DEVICE_ID_LYDD_LL1		0x0001

#define LYDD_REG_PWM			0x00
#define LYDD_MAX_BRIGHTNESS		255

struct lydd_led {
	struct led_classdev cdev;
	void __iomem *regs;
};

static void lydd_led_set(struct led_classdev *cdev, enum led_brightness value)
{
	struct lydd_led *led = container_of(cdev, struct lydd_led, cdev);

	writel(value, led->regs + LYDD_REG_PWM);
}

static int lydd_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct lydd_led *led;
	int rc;

	led = devm_kzalloc(&pdev->dev, sizeof(*led), GFP_KERNEL);
	if (!led)
		return -ENOMEM;

	if (pcim_enable_device(pdev))
		return -ENODEV;

	rc = pcim_iomap_regions(pdev, BIT(0), DRV_NAME);
	if (rc)
		return rc;

	led->regs = pcim_iomap_table(pdev)[0];
	led->cdev.name = "lydd::status";
	led->cdev.max_brightness = LYDD_MAX_BRIGHTNESS;
	led->cdev.brightness_set = lydd_led_set;
	pci_set_drvdata(pdev, led);

	return devm_led_classdev_register(&pdev->dev, &led->cdev);
}

static void lydd_remove(struct pci_dev *pdev)
{
	struct lydd_led *led = pci_get_drvdata(pdev);

	writel(0, led->regs + LYDD_REG_PWM);
}

static const struct pci_device_id lydd_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_LYDD, PCI_DEVICE_ID_LYDD_LL1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, lydd_pci_ids);

static struct pci_driver lydd_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= lydd_pci_ids,
	.probe		= lydd_probe,
	.remove		= lydd_remove,
};
module_pci_driver(lydd_pci_driver);

MODULE_DESCRIPTION("Lydd LL-1 status LED driver");
MODULE_AUTHOR("Gwenllian Probert <gwenllian.probert@example.com>");
MODULE_LICENSE("GPL");
