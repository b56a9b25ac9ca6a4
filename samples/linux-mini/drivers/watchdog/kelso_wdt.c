// SPDX-License-Identifier: GPL-2.0+
/*
 * Kelso Systems KW-2 PCI watchdog card, with a pretimeout interrupt
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/watchdog.h>

#define PCI_VENDOR_ID_KELSO		0x1a4f
#define PCI_DEVICE_ID_KELSO_KW2		0x0002

#define KELSO_REG_CTRL			0x00
#define KELSO_REG_TIMEOUT		0x04
#define KELSO_CTRL_ENABLE		BIT(0)
#define KELSO_CTRL_PRETIMEOUT		BIT(1)

struct kelso_wdt {
	struct watchdog_device wdd;
	void __iomem *base;
};

static int kelso_wdt_start(struct watchdog_device *wdd)
{
	struct kelso_wdt *kw = watchdog_get_drvdata(wdd);

	writel(wdd->timeout, kw->base + KELSO_REG_TIMEOUT);
	writel(KELSO_CTRL_ENABLE | KELSO_CTRL_PRETIMEOUT, kw->base + KELSO_REG_CTRL);

	return 0;
}

static int kelso_wdt_stop(struct watchdog_device *wdd)
{
	struct kelso_wdt *kw = watchdog_get_drvdata(wdd);

	writel(0, kw->base + KELSO_REG_CTRL);

	return 0;
}

static irqreturn_t kelso_wdt_irq(int irq, void *data)
{
	struct kelso_wdt *kw = data;

	watchdog_notify_pretimeout(&kw->wdd);

	return IRQ_HANDLED;
}

static const struct watchdog_info kelso_wdt_info = {
	.options	= WDIOF_SETTIMEOUT | WDIOF_PRETIMEOUT,
	.identity	= "Kelso KW-2",
};

static const struct watchdog_ops kelso_wdt_ops = {
	.owner		= THIS_MODULE,
	.start		= kelso_wdt_start,
	.stop		= kelso_wdt_stop,
};

static int kelso_wdt_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct kelso_wdt *kw;
	int ret;

	kw = devm_kzalloc(&pdev->dev, sizeof(*kw), GFP_KERNEL);
	if (!kw)
		return -ENOMEM;

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;

	ret = pci_request_regions(pdev, "kelso_wdt");
	if (ret)
		goto err_disable;

	kw->base = pci_iomap(pdev, 0, 0);
	if (!kw->base) {
		ret = -ENOMEM;
		goto err_release;
	}

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		goto err_unmap;

	ret = request_irq(pci_irq_vector(pdev, 0), kelso_wdt_irq, IRQF_SHARED, "kelso_wdt", kw);
	if (ret)
		goto err_free_vectors;

	kw->wdd.info = &kelso_wdt_info;
	kw->wdd.ops = &kelso_wdt_ops;
	kw->wdd.max_timeout = 255;
	kw->wdd.timeout = 60;
	kw->wdd.parent = &pdev->dev;
	watchdog_set_drvdata(&kw->wdd, kw);

	ret = watchdog_register_device(&kw->wdd);
	if (ret)
		goto err_free_irq;

	pci_set_drvdata(pdev, kw);

	return 0;

err_free_irq:
	free_irq(pci_irq_vector(pdev, 0), kw);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_unmap:
	pci_iounmap(pdev, kw->base);
err_release:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
	return ret;
}

static void kelso_wdt_remove(struct pci_dev *pdev)
{
	struct kelso_wdt *kw = pci_get_drvdata(pdev);

	watchdog_unregister_device(&kw->wdd);
	free_irq(pci_irq_vector(pdev, 0), kw);
	pci_free_irq_vectors(pdev);
	pci_iounmap(pdev, kw->base);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

static const struct pci_device_id kelso_wdt_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_KELSO, PCI_DEVICE_ID_KELSO_KW2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, kelso_wdt_pci_tbl);

static struct pci_driver kelso_wdt_driver = {
	.name		= "kelso_wdt",
	.id_table	= kelso_wdt_pci_tbl,
	.probe		= kelso_wdt_probe,
	.remove		= kelso_wdt_remove,
};
module_pci_driver(kelso_wdt_driver);

MODULE_DESCRIPTION("Kelso Systems KW-2 PCI watchdog driver");
MODULE_AUTHOR("Rupert Halloran <rupert.halloran@example.com>");
MODULE_LICENSE("GPL");
