// SPDX-License-Identifier: GPL-2.0
/*
 * MHI PCI controller driver for the Girvan GM-5 cellular modem
 *
 * The modem exposes its channels through the MHI protocol; the host side
 * needs one MSI vector for the boot host interface (BHI) and one per
 * event ring.
 */
#include <linux/log2.h>
#include <linux/mhi.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_GIRVAN		0x1a6b
#define PCI_DEVICE_ID_GIRVAN_GM5	0x0505

#define GIRVAN_NUM_EVENTS		3

struct girvan_mhi {
	struct mhi_controller mhi_cntrl;
	struct pci_dev *pdev;
	int irq[GIRVAN_NUM_EVENTS + 1];
};

static int girvan_get_irqs(struct girvan_mhi *gm)
{
	struct mhi_controller *mhi_cntrl = &gm->mhi_cntrl;
	struct pci_dev *pdev = gm->pdev;
	int nr_vectors, i;

	/*
	 * Alloc one MSI vector for BHI + one vector per event ring, ideally.
	 * With fewer vectors, all the event rings share the last one.
	 * No explicit pci_free_irq_vectors required, done by pcim_release.
	 */
	mhi_cntrl->nr_irqs = 1 + GIRVAN_NUM_EVENTS;

	nr_vectors = pci_alloc_irq_vectors(pdev, 1, roundup_pow_of_two(mhi_cntrl->nr_irqs),
					   PCI_IRQ_MSIX | PCI_IRQ_MSI);
	if (nr_vectors < 0) {
		dev_err(&pdev->dev, "Error allocating MSI vectors %d\n", nr_vectors);
		return nr_vectors;
	}

	for (i = 0; i < mhi_cntrl->nr_irqs; i++)
		gm->irq[i] = pci_irq_vector(pdev, min(i, nr_vectors - 1));
	mhi_cntrl->irq = gm->irq;

	return 0;
}

static int girvan_mhi_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct girvan_mhi *gm;
	int err;

	gm = devm_kzalloc(&pdev->dev, sizeof(*gm), GFP_KERNEL);
	if (!gm)
		return -ENOMEM;

	err = pcim_enable_device(pdev);
	if (err)
		return err;

	gm->pdev = pdev;
	gm->mhi_cntrl.cntrl_dev = &pdev->dev;
	gm->mhi_cntrl.regs = pcim_iomap_region(pdev, 0, "girvan-mhi");
	if (IS_ERR(gm->mhi_cntrl.regs))
		return PTR_ERR(gm->mhi_cntrl.regs);

	err = girvan_get_irqs(gm);
	if (err)
		return err;

	pci_set_drvdata(pdev, gm);

	return mhi_register_controller(&gm->mhi_cntrl, NULL);
}

static void girvan_mhi_remove(struct pci_dev *pdev)
{
	struct girvan_mhi *gm = pci_get_drvdata(pdev);

	mhi_unregister_controller(&gm->mhi_cntrl);
}

static const struct pci_device_id girvan_mhi_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_GIRVAN, PCI_DEVICE_ID_GIRVAN_GM5) },
	{ }
};
MODULE_DEVICE_TABLE(pci, girvan_mhi_ids);

static struct pci_driver girvan_mhi_driver = {
	.name		= "girvan-mhi",
	.id_table	= girvan_mhi_ids,
	.probe		= girvan_mhi_probe,
	.remove		= girvan_mhi_remove,
};
module_pci_driver(girvan_mhi_driver);

MODULE_DESCRIPTION("Girvan GM-5 modem MHI PCI controller driver");
MODULE_AUTHOR("Isla Drummond <isla.drummond@example.com>");
MODULE_LICENSE("GPL");
