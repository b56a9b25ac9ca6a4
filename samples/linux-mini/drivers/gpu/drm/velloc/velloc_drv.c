// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM driver for the Velloc VX-200 2D display controller
 *
 * Copyright (C) 2024 Velloc Graphics
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#define PCI_VENDOR_ID_VELLOC		0x1f5e
#define PCI_DEVICE_ID_VELLOC_VX200	0x0200

#define VELLOC_REG_POWER		0x0000
#define VELLOC_REG_IRQ_STATUS		0x0010
#define VELLOC_REG_IRQ_ENABLE		0x0014
#define VELLOC_IRQ_VBLANK		BIT(0)

struct velloc_device {
	struct drm_device drm;
	void __iomem *mmio;
};

static irqreturn_t velloc_irq_handler(int irq, void *arg)
{
	struct velloc_device *vdev = arg;
	u32 status = readl(vdev->mmio + VELLOC_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;

	writel(status, vdev->mmio + VELLOC_REG_IRQ_STATUS);
	if (status & VELLOC_IRQ_VBLANK)
		drm_handle_vblank(&vdev->drm, 0);

	return IRQ_HANDLED;
}

static void velloc_power_on(struct velloc_device *vdev)
{
	writel(1, vdev->mmio + VELLOC_REG_POWER);
}

static void velloc_power_off(struct velloc_device *vdev)
{
	writel(0, vdev->mmio + VELLOC_REG_POWER);
}

static int velloc_hw_init(struct velloc_device *vdev)
{
	writel(VELLOC_IRQ_VBLANK, vdev->mmio + VELLOC_REG_IRQ_ENABLE);

	return 0;
}

static const struct drm_driver velloc_drm_driver = {
	.driver_features	= DRIVER_MODESET | DRIVER_ATOMIC,
	.name			= "velloc",
	.desc			= "Velloc VX-200",
	.major			= 1,
	.minor			= 0,
};

static int velloc_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct velloc_device *vdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	vdev = devm_drm_dev_alloc(&pdev->dev, &velloc_drm_driver, typeof(*vdev), drm);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	vdev->mmio = pcim_iomap_region(pdev, 0, "velloc");
	if (IS_ERR(vdev->mmio))
		return PTR_ERR(vdev->mmio);

	pci_set_drvdata(pdev, vdev);
	velloc_power_on(vdev);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto err_power_off;

	ret = velloc_hw_init(vdev);
	if (ret)
		goto err_free_vectors;

	ret = request_irq(pci_irq_vector(pdev, 0), velloc_irq_handler, IRQF_SHARED,
			  "velloc", vdev);
	if (ret)
		goto err_free_vectors;

	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		goto err_free_irq;

	return 0;

err_free_irq:
	free_irq(pci_irq_vector(pdev, 0), vdev);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_power_off:
	velloc_power_off(vdev);
	return ret;
}

static void velloc_remove(struct pci_dev *pdev)
{
	struct velloc_device *vdev = pci_get_drvdata(pdev);

	drm_dev_unregister(&vdev->drm);
	free_irq(pci_irq_vector(pdev, 0), vdev);
	velloc_power_off(vdev);
}

static const struct pci_device_id velloc_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_VELLOC, PCI_DEVICE_ID_VELLOC_VX200) },
	{ }
};
MODULE_DEVICE_TABLE(pci, velloc_pci_ids);

static struct pci_driver velloc_pci_driver = {
	.name		= "velloc",
	.id_table	= velloc_pci_ids,
	.probe		= velloc_probe,
	.remove		= velloc_remove,
};
module_pci_driver(velloc_pci_driver);

MODULE_DESCRIPTION("DRM driver for Velloc VX-200 display controllers");
MODULE_AUTHOR("Mireille Okonkwo <mireille.okonkwo@example.com>");
MODULE_LICENSE("GPL");
