// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stavely SX-1 inference accelerator
 *
 * Copyright (C) 2025 Stavely Compute
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>

#define PCI_VENDOR_ID_STAVELY		0x1d9a
#define PCI_DEVICE_ID_STAVELY_SX1	0x5101

#define STAVELY_REG_CTRL		0x000
#define STAVELY_REG_DOORBELL		0x100
#define STAVELY_CTRL_RUN		BIT(0)

struct stavely_device {
	struct drm_device drm;
	void __iomem *bar;
};

static irqreturn_t stavely_irq(int irq, void *arg)
{
	struct stavely_device *sdev = arg;

	if (!readl(sdev->bar + STAVELY_REG_DOORBELL))
		return IRQ_NONE;

	writel(0, sdev->bar + STAVELY_REG_DOORBELL);

	return IRQ_HANDLED;
}

static int stavely_setup_irq(struct pci_dev *pdev, struct stavely_device *sdev)
{
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;

	return request_irq(pci_irq_vector(pdev, 0), stavely_irq, 0, "stavely", sdev);
}

static const struct drm_driver stavely_drm_driver = {
	.driver_features	= DRIVER_COMPUTE_ACCEL,
	.name			= "stavely",
	.desc			= "Stavely SX-1 accelerator",
};

static int stavely_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct stavely_device *sdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	sdev = devm_drm_dev_alloc(&pdev->dev, &stavely_drm_driver, struct stavely_device, drm);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);

	sdev->bar = pcim_iomap_region(pdev, 0, "stavely");
	if (IS_ERR(sdev->bar))
		return PTR_ERR(sdev->bar);

	pci_set_master(pdev);
	pci_set_drvdata(pdev, sdev);

	ret = stavely_setup_irq(pdev, sdev);
	if (ret)
		return ret;

	writel(STAVELY_CTRL_RUN, sdev->bar + STAVELY_REG_CTRL);

	return drm_dev_register(&sdev->drm, 0);
}

static void stavely_remove(struct pci_dev *pdev)
{
	struct stavely_device *sdev = pci_get_drvdata(pdev);

	drm_dev_unplug(&sdev->drm);
	writel(0, sdev->bar + STAVELY_REG_CTRL);
	free_irq(pci_irq_vector(pdev, 0), sdev);
}

static pci_ers_result_t stavely_error_detected(struct pci_dev *pdev, pci_channel_state_t state)
{
	struct stavely_device *sdev = pci_get_drvdata(pdev);

	if (state == pci_channel_io_perm_failure)
		return PCI_ERS_RESULT_DISCONNECT;

	free_irq(pci_irq_vector(pdev, 0), sdev);
	pci_free_irq_vectors(pdev);

	return PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t stavely_slot_reset(struct pci_dev *pdev)
{
	struct stavely_device *sdev = pci_get_drvdata(pdev);

	if (stavely_setup_irq(pdev, sdev))
		return PCI_ERS_RESULT_DISCONNECT;

	writel(STAVELY_CTRL_RUN, sdev->bar + STAVELY_REG_CTRL);

	return PCI_ERS_RESULT_RECOVERED;
}

static const struct pci_error_handlers stavely_err_handler = {
	.error_detected	= stavely_error_detected,
	.slot_reset	= stavely_slot_reset,
};

static const struct pci_device_id stavely_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_STAVELY, PCI_DEVICE_ID_STAVELY_SX1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, stavely_pci_ids);

static struct pci_driver stavely_pci_driver = {
	.name		= "stavely",
	.id_table	= stavely_pci_ids,
	.probe		= stavely_probe,
	.remove		= stavely_remove,
	.err_handler	= &stavely_err_handler,
};
module_pci_driver(stavely_pci_driver);

MODULE_DESCRIPTION("Stavely SX-1 accelerator driver");
MODULE_AUTHOR("Ivo Rademacher <ivo.rademacher@example.org>");
MODULE_LICENSE("GPL");
