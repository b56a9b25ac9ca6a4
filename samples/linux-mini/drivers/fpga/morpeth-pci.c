// SPDX-License-Identifier: GPL-2.0
/*
 * Morpeth MF-10 FPGA accelerator card: PCIe function driver
 *
 * The card describes its sub-devices in a feature list; this driver walks
 * the list and hands every sub-device the MSI-X vectors it asks for.
 */
#include <linux/fpga/morpeth-fl.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#define PCI_VENDOR_ID_MORPETH		0x1a4f
#define PCI_DEVICE_ID_MORPETH_MF10	0x0010

static void morpeth_pci_free_irq(struct pci_dev *pcidev);

struct morpeth_drvdata {
	struct morpeth_fl_cdev *cdev;
};

static void morpeth_remove_feature_devs(struct pci_dev *pcidev)
{
	struct morpeth_drvdata *drvdata = pci_get_drvdata(pcidev);

	/* remove all children feature devices */
	morpeth_fl_feature_devs_remove(drvdata->cdev);
	morpeth_pci_free_irq(pcidev);
}

static int morpeth_pci_alloc_irq(struct pci_dev *pcidev)
{
	int ret, nvec = pci_msix_vec_count(pcidev);

	if (nvec <= 0)
		return 0;

	ret = pci_alloc_irq_vectors(pcidev, nvec, nvec, PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;

	return nvec;
}

static void morpeth_pci_free_irq(struct pci_dev *pcidev)
{
	pci_free_irq_vectors(pcidev);
}

static int morpeth_pci_probe(struct pci_dev *pcidev, const struct pci_device_id *id)
{
	struct morpeth_drvdata *drvdata;
	struct morpeth_fl_info *info;
	struct morpeth_fl_cdev *cdev;
	int nvec, ret;

	ret = pcim_enable_device(pcidev);
	if (ret)
		return ret;

	drvdata = devm_kzalloc(&pcidev->dev, sizeof(*drvdata), GFP_KERNEL);
	if (!drvdata)
		return -ENOMEM;
	pci_set_drvdata(pcidev, drvdata);

	info = morpeth_fl_info_alloc(&pcidev->dev);
	if (!info)
		return -ENOMEM;

	nvec = morpeth_pci_alloc_irq(pcidev);
	if (nvec < 0) {
		ret = nvec;
		goto enum_info_free_exit;
	}

	ret = morpeth_fl_info_add_irq(info, nvec);
	if (ret)
		goto irq_free_exit;

	/* start enumeration with prepared enumeration information */
	cdev = morpeth_fl_feature_devs_enumerate(info);
	if (IS_ERR(cdev)) {
		dev_err(&pcidev->dev, "Enumeration failure\n");
		ret = PTR_ERR(cdev);
		goto irq_free_exit;
	}

	drvdata->cdev = cdev;

irq_free_exit:
	if (ret)
		morpeth_pci_free_irq(pcidev);
enum_info_free_exit:
	morpeth_fl_info_free(info);

	return ret;
}

static void morpeth_pci_remove(struct pci_dev *pcidev)
{
	morpeth_remove_feature_devs(pcidev);
}

static const struct pci_device_id morpeth_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_MORPETH, PCI_DEVICE_ID_MORPETH_MF10) },
	{ }
};
MODULE_DEVICE_TABLE(pci, morpeth_pci_ids);

static struct pci_driver morpeth_pci_driver = {
	.name		= "morpeth-pci",
	.id_table	= morpeth_pci_ids,
	.probe		= morpeth_pci_probe,
	.remove		= morpeth_pci_remove,
};
module_pci_driver(morpeth_pci_driver);

MODULE_DESCRIPTION("Morpeth MF-10 FPGA card PCIe driver");
MODULE_AUTHOR("Hester Loughran <hester.loughran@example.com>");
MODULE_LICENSE("GPL");
