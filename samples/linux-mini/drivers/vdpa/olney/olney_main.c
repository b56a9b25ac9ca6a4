// SPDX-License-Identifier: GPL-2.0-only
/*
 * Olney OV-1 vDPA SmartNIC: PCI physical function
 *
 * The configuration block layout, its flags and the OLNEY_FLAG_ON() test
 * are shared with the SmartNIC's management driver and come from
 * <linux/olney_dpu.h>.
 */
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/olney_dpu.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_OLNEY		0x1e95
#define PCI_DEVICE_ID_OLNEY_OV1		0x0001

struct olney_pf {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct olney_dpu_cfg cfg;
};

static int olney_vdpa_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct olney_pf *pf;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	pf = devm_kzalloc(&pdev->dev, sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;

	pf->pdev = pdev;
	pf->bar = pcim_iomap_region(pdev, 0, "olney-vdpa");
	if (IS_ERR(pf->bar))
		return PTR_ERR(pf->bar);

	ret = olney_dpu_read_cfg(pf->bar, &pf->cfg);
	if (ret)
		return ret;

	if (OLNEY_FLAG_ON(pf, OLNEY_CFG_FLAG_IRQ_PF)) {
		ret = pci_alloc_irq_vectors(pdev, pf->cfg.nr_vqs, pf->cfg.nr_vqs,
					    PCI_IRQ_MSIX);
		if (ret < 0)
			return ret;
	}

	pci_set_drvdata(pdev, pf);

	return 0;
}

static void olney_vdpa_remove(struct pci_dev *pdev)
{
	struct olney_pf *pf = pci_get_drvdata(pdev);

	olney_dpu_reset(pf->bar);
	/* If IRQs are allocated from the PF, we should free the IRQs */
	if (OLNEY_FLAG_ON(pf, OLNEY_CFG_FLAG_IRQ_PF))
		pci_free_irq_vectors(pdev);
}

static const struct pci_device_id olney_vdpa_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_OLNEY, PCI_DEVICE_ID_OLNEY_OV1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, olney_vdpa_ids);

static struct pci_driver olney_vdpa_driver = {
	.name		= "olney-vdpa",
	.id_table	= olney_vdpa_ids,
	.probe		= olney_vdpa_probe,
	.remove		= olney_vdpa_remove,
};
module_pci_driver(olney_vdpa_driver);

MODULE_DESCRIPTION("Olney OV-1 vDPA SmartNIC PF driver");
MODULE_AUTHOR("Perpetua Holm <perpetua.holm@example.com>");
MODULE_LICENSE("GPL");
