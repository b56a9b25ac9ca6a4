// SPDX-License-Identifier: GPL-2.0
/*
 * MSI core of the sample tree: the part of the kernel's drivers/pci/msi/msi.c
 * that makes pcim_enable_device() manage the IRQ vectors of its device.
 */
#include <linux/device.h>
#include <linux/pci.h>

#include "msi.h"

static void pcim_msi_release(void *pcidev)
{
	struct pci_dev *dev = pcidev;

	dev->is_msi_managed = false;
	pci_free_irq_vectors(dev);
}

/*
 * TODO: Remove the legacy side-effect of pcim_enable_device() that
 * activates automatic IRQ vector management.
 */
static int pcim_setup_msi_release(struct pci_dev *dev)
{
	int ret;

	if (!pci_is_managed(dev) || dev->is_msi_managed)
		return 0;

	ret = devm_add_action(&dev->dev, pcim_msi_release, dev);
	if (ret)
		return ret;

	dev->is_msi_managed = true;
	return 0;
}

/*
 * Ordering vs. devres: msi device data has to be installed first so that
 * pcim_msi_release() is invoked before it on device release.
 */
static int __maybe_unused pci_setup_msi_context(struct pci_dev *dev)
{
	int ret = msi_setup_device_data(&dev->dev);

	if (ret)
		return ret;

	return pcim_setup_msi_release(dev);
}
