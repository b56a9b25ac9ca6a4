// SPDX-License-Identifier: GPL-2.0
/*
 * Hexham HX-400 PCIe flash card
 *
 * Commands are posted to per-CPU submission queues; each queue completes
 * on its own MSI-X vector, and the admin queue has one more.
 */
#include <linux/blk-mq.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_HEXHAM		0x1e8a
#define PCI_DEVICE_ID_HEXHAM_HX400	0x0400

#define HEXHAM_NR_QUEUES		8
#define HEXHAM_REG_CQ_HEAD(q)		(0x1000 + (q) * 8)

struct hexham_dev {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct blk_mq_tag_set tag_set;
	unsigned int nr_io_queues;
};

static irqreturn_t hexham_cq_irq(int irq, void *data)
{
	struct hexham_dev *hd = data;

	writel(0, hd->bar + HEXHAM_REG_CQ_HEAD(irq - pci_irq_vector(hd->pdev, 0)));

	return IRQ_HANDLED;
}

static int hexham_setup_irqs(struct hexham_dev *hd)
{
	struct pci_dev *pdev = hd->pdev;
	int nvec, i, ret;

	/* one vector per queue, plus one for admin */
	nvec = pci_alloc_irq_vectors(pdev, 2, HEXHAM_NR_QUEUES + 1, PCI_IRQ_MSIX);
	if (nvec < 0)
		return nvec;

	hd->nr_io_queues = nvec - 1;
	for (i = 0; i < nvec; i++) {
		ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, i), hexham_cq_irq, 0,
				       "hexham-blk", hd);
		if (ret)
			return ret;
	}

	return 0;
}

static int hexham_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct hexham_dev *hd;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	hd = devm_kzalloc(&pdev->dev, sizeof(*hd), GFP_KERNEL);
	if (!hd)
		return -ENOMEM;

	hd->pdev = pdev;
	hd->bar = pcim_iomap_region(pdev, 0, "hexham-blk");
	if (IS_ERR(hd->bar))
		return PTR_ERR(hd->bar);

	ret = hexham_setup_irqs(hd);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, hd);

	return blk_mq_alloc_tag_set(&hd->tag_set);
}

static void hexham_remove(struct pci_dev *pdev)
{
	struct hexham_dev *hd = pci_get_drvdata(pdev);

	blk_mq_free_tag_set(&hd->tag_set);
}

static const struct pci_device_id hexham_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_HEXHAM, PCI_DEVICE_ID_HEXHAM_HX400) },
	{ }
};
MODULE_DEVICE_TABLE(pci, hexham_pci_ids);

static struct pci_driver hexham_pci_driver = {
	.name		= "hexham-blk",
	.id_table	= hexham_pci_ids,
	.probe		= hexham_probe,
	.remove		= hexham_remove,
};
module_pci_driver(hexham_pci_driver);

MODULE_DESCRIPTION("Hexham HX-400 PCIe flash card driver");
MODULE_AUTHOR("Caradoc Venables <caradoc.venables@example.org>");
MODULE_LICENSE("GPL");
