// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pentire PT-8 PCIe board management controller: temperature monitoring
 *
 * The BMC reports eight temperatures and raises an alert interrupt when
 * one of them crosses its critical limit.
 */
#include <linux/device.h>
#include <linux/hwmon.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_PENTIRE		0x1e4d
#define PCI_DEVICE_ID_PENTIRE_PT8	0x0008

#define PENTIRE_REG_TEMP(ch)		(0x10 + (ch) * 4)	/* millidegrees */
#define PENTIRE_REG_ALERT		0x40
#define PENTIRE_REG_ALERT_EN		0x44

struct pentire_data {
	void __iomem *base;
	struct device *hwmon_dev;
};

static int pentire_read(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			int channel, long *val)
{
	struct pentire_data *pd = dev_get_drvdata(dev);

	*val = (s32)readl(pd->base + PENTIRE_REG_TEMP(channel));

	return 0;
}

static umode_t pentire_is_visible(const void *data, enum hwmon_sensor_types type, u32 attr,
				  int channel)
{
	return 0444;
}

static const struct hwmon_channel_info * const pentire_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT, HWMON_T_INPUT, HWMON_T_INPUT, HWMON_T_INPUT,
			   HWMON_T_INPUT, HWMON_T_INPUT, HWMON_T_INPUT, HWMON_T_INPUT),
	NULL
};

static const struct hwmon_ops pentire_hwmon_ops = {
	.is_visible	= pentire_is_visible,
	.read		= pentire_read,
};

static const struct hwmon_chip_info pentire_chip_info = {
	.ops	= &pentire_hwmon_ops,
	.info	= pentire_info,
};

static irqreturn_t pentire_alert_irq(int irq, void *data)
{
	struct pentire_data *pd = data;
	u32 alert = readl(pd->base + PENTIRE_REG_ALERT);

	if (!alert)
		return IRQ_NONE;

	writel(alert, pd->base + PENTIRE_REG_ALERT);
	hwmon_notify_event(pd->hwmon_dev, hwmon_temp, hwmon_temp_crit_alarm, __ffs(alert));

	return IRQ_HANDLED;
}

static void pentire_irq_release(void *data)
{
	struct pentire_data *pd = pci_get_drvdata(data);

	/* Mask alerts before the vectors go away */
	writel(0, pd->base + PENTIRE_REG_ALERT_EN);
	pci_free_irq_vectors(data);
}

static int pentire_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct pentire_data *pd;
	int ret;

	pd = devm_kzalloc(dev, sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	pd->base = pcim_iomap_region(pdev, 0, "pentire");
	if (IS_ERR(pd->base))
		return PTR_ERR(pd->base);

	pci_set_drvdata(pdev, pd);

	pd->hwmon_dev = devm_hwmon_device_register_with_info(dev, "pentire", pd,
							     &pentire_chip_info, NULL);
	if (IS_ERR(pd->hwmon_dev))
		return PTR_ERR(pd->hwmon_dev);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = devm_add_action_or_reset(dev, pentire_irq_release, pdev);
	if (ret)
		return ret;

	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), pentire_alert_irq, IRQF_SHARED,
			       "pentire", pd);
	if (ret)
		return ret;

	writel(~0U, pd->base + PENTIRE_REG_ALERT_EN);

	return 0;
}

static const struct pci_device_id pentire_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_PENTIRE, PCI_DEVICE_ID_PENTIRE_PT8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pentire_pci_ids);

static struct pci_driver pentire_pci_driver = {
	.name		= "pentire",
	.id_table	= pentire_pci_ids,
	.probe		= pentire_probe,
};
module_pci_driver(pentire_pci_driver);

MODULE_DESCRIPTION("Pentire PT-8 BMC temperature monitoring driver");
MODULE_AUTHOR("Morwenna Trelawney <morwenna.trelawney@example.org>");
MODULE_LICENSE("GPL");
