// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cromer CF-2 IEEE 1394 link layer controller
 *
 * A reduced OHCI-like link: one interrupt, MSI or INTx, for bus resets,
 * self-ID and the asynchronous contexts.
 */
#include <linux/firewire.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_CROMER		0x1c0f
#define PCI_DEVICE_ID_CROMER_CF2	0x00f2

#define CROMER_REG_EVENT		0x080
#define CROMER_REG_EVENT_MASK		0x088

struct cromer_fw {
	struct fw_card card;
	void __iomem *regs;
};

static irqreturn_t cromer_irq(int irq, void *data)
{
	struct cromer_fw *cr = data;
	u32 event = readl(cr->regs + CROMER_REG_EVENT);

	if (!event)
		return IRQ_NONE;

	writel(event, cr->regs + CROMER_REG_EVENT);

	return IRQ_HANDLED;
}

static int cromer_init_contexts(struct cromer_fw *cr)
{
	writel(~0, cr->regs + CROMER_REG_EVENT_MASK);

	return 0;
}

static int cromer_probe(struct pci_dev *dev, const struct pci_device_id *ent)
{
	struct cromer_fw *cr;
	int err;

	err = pcim_enable_device(dev);
	if (err)
		return err;

	cr = devm_kzalloc(&dev->dev, sizeof(*cr), GFP_KERNEL);
	if (!cr)
		return -ENOMEM;

	cr->regs = pcim_iomap_region(dev, 0, "cromer-fw");
	if (IS_ERR(cr->regs))
		return PTR_ERR(cr->regs);

	pci_set_drvdata(dev, cr);

	err = pci_alloc_irq_vectors(dev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (err < 0)
		return err;

	err = cromer_init_contexts(cr);
	if (err)
		goto fail_msi;

	err = request_irq(pci_irq_vector(dev, 0), cromer_irq,
			  dev->msi_enabled ? 0 : IRQF_SHARED, "cromer-fw", cr);
	if (err < 0) {
		dev_err(&dev->dev, "failed to allocate interrupt\n");
		goto fail_msi;
	}

	err = fw_card_add(&cr->card, 0, 0, 0);
	if (err)
		goto fail_irq;

	return 0;

fail_irq:
	free_irq(pci_irq_vector(dev, 0), cr);
fail_msi:
	pci_free_irq_vectors(dev);

	return err;
}

static void cromer_remove(struct pci_dev *dev)
{
	struct cromer_fw *cr = pci_get_drvdata(dev);

	fw_core_remove_card(&cr->card);
	free_irq(pci_irq_vector(dev, 0), cr);
	pci_free_irq_vectors(dev);

	dev_notice(&dev->dev, "removed cromer-fw device\n");
}

static const struct pci_device_id cromer_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_CROMER, PCI_DEVICE_ID_CROMER_CF2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, cromer_pci_ids);

static struct pci_driver cromer_pci_driver = {
	.name		= "cromer-fw",
	.id_table	= cromer_pci_ids,
	.probe		= cromer_probe,
	.remove		= cromer_remove,
};
module_pci_driver(cromer_pci_driver);

MODULE_DESCRIPTION("Cromer CF-2 IEEE 1394 link layer driver");
MODULE_AUTHOR("Wilhelmina Achebe <wilhelmina.achebe@example.com>");
MODULE_LICENSE("GPL");
