// SPDX-License-Identifier: GPL-2.0
/*
 * Lanark LR-7 PCI real time clock
 *
 * A battery-backed seconds counter with one alarm; the alarm is signalled
 * through MSI, or INTx on boards that do not route MSI.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/rtc.h>

#define PCI_VENDOR_ID_LANARK		0x1d3f
#define PCI_DEVICE_ID_LANARK_LR7	0x0007

#define LANARK_REG_TIME			0x00
#define LANARK_REG_ALARM_EN		0x08
#define LANARK_REG_ALARM_STS		0x0c

struct lanark_rtc {
	struct device *dev;
	struct rtc_device *rtc;
	void __iomem *regs;
	bool detached;
};

static irqreturn_t lanark_rtc_irq(int irq, void *data)
{
	struct lanark_rtc *lr = data;

	if (lr->detached || !readl(lr->regs + LANARK_REG_ALARM_STS))
		return IRQ_NONE;

	writel(1, lr->regs + LANARK_REG_ALARM_STS);
	rtc_update_irq(lr->rtc, 1, RTC_AF | RTC_IRQF);

	return IRQ_HANDLED;
}

/* Mark the clock as going away, so the handler ignores the line, and return its device */
static struct device *lanark_rtc_detach(struct lanark_rtc *lr)
{
	lr->detached = true;
	return lr->dev;
}

static void lanark_rtc_teardown(struct lanark_rtc *lr)
{
	struct pci_dev *pdev = to_pci_dev(lanark_rtc_detach(lr));

	writel(0, lr->regs + LANARK_REG_ALARM_EN);
	pci_free_irq_vectors(pdev);
}

static const struct rtc_class_ops lanark_rtc_ops = { };

static int lanark_rtc_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct lanark_rtc *lr;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	lr = devm_kzalloc(&pdev->dev, sizeof(*lr), GFP_KERNEL);
	if (!lr)
		return -ENOMEM;

	lr->dev = &pdev->dev;
	lr->regs = pcim_iomap_region(pdev, 0, "rtc-lanark");
	if (IS_ERR(lr->regs))
		return PTR_ERR(lr->regs);

	lr->rtc = devm_rtc_allocate_device(&pdev->dev);
	if (IS_ERR(lr->rtc))
		return PTR_ERR(lr->rtc);
	lr->rtc->ops = &lanark_rtc_ops;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), lanark_rtc_irq,
			       IRQF_SHARED, "rtc-lanark", lr);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, lr);

	return devm_rtc_register_device(lr->rtc);
}

static void lanark_rtc_remove(struct pci_dev *pdev)
{
	lanark_rtc_teardown(pci_get_drvdata(pdev));
}

static const struct pci_device_id lanark_rtc_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_LANARK, PCI_DEVICE_ID_LANARK_LR7) },
	{ }
};
MODULE_DEVICE_TABLE(pci, lanark_rtc_ids);

static struct pci_driver lanark_rtc_driver = {
	.name		= "rtc-lanark",
	.id_table	= lanark_rtc_ids,
	.probe		= lanark_rtc_probe,
	.remove		= lanark_rtc_remove,
};
module_pci_driver(lanark_rtc_driver);

MODULE_DESCRIPTION("Lanark LR-7 PCI real time clock driver");
MODULE_AUTHOR("Morag Beaton <morag.beaton@example.org>");
MODULE_LICENSE("GPL");
