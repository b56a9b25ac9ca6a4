// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calder Microdevices CM-SD3 PCI SD host controller.  One slot per function;
 * the slot code reaches the PCI device only through slot->chip->pdev.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/mmc/host.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_CALDER		0x1c11
#define PCI_DEVICE_ID_CALDER_CMSD3	0x0d03

#define CALDER_REG_POWER		0x29
#define CALDER_REG_INT_STATUS		0x30

struct calder_chip;

struct calder_slot {
	struct calder_chip *chip;
	struct mmc_host *mmc;
	void __iomem *ioaddr;
	int irq;
};

struct calder_chip {
	struct pci_dev *pdev;
	struct calder_slot *slot;
};

static irqreturn_t calder_irq(int irq, void *dev_id)
{
	struct calder_slot *slot = dev_id;
	u32 status = readl(slot->ioaddr + CALDER_REG_INT_STATUS);

	writel(status, slot->ioaddr + CALDER_REG_INT_STATUS);

	return IRQ_HANDLED;
}

static void calder_request(struct mmc_host *mmc, struct mmc_request *mrq)
{
	/* Command engine omitted from the sample */
	mrq->cmd->error = -ETIMEDOUT;
	mmc_request_done(mmc, mrq);
}

static const struct mmc_host_ops calder_mmc_ops = {
	.request	= calder_request,
};

static int calder_slot_enable_msi(struct calder_slot *slot)
{
	int ret;

	ret = pci_alloc_irq_vectors(slot->chip->pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;

	slot->irq = pci_irq_vector(slot->chip->pdev, 0);

	return 0;
}

static int calder_probe_slot(struct calder_chip *chip)
{
	struct calder_slot *slot;
	struct mmc_host *mmc;
	int ret;

	mmc = devm_mmc_alloc_host(&chip->pdev->dev, sizeof(*slot));
	if (!mmc)
		return -ENOMEM;

	slot = mmc_priv(mmc);
	slot->mmc = mmc;
	slot->chip = chip;

	slot->ioaddr = pcim_iomap_region(chip->pdev, 0, "calder-mmc");
	if (IS_ERR(slot->ioaddr))
		return PTR_ERR(slot->ioaddr);

	ret = calder_slot_enable_msi(slot);
	if (ret)
		return ret;

	ret = request_irq(slot->irq, calder_irq, 0, mmc_hostname(mmc), slot);
	if (ret)
		goto err_free_vectors;

	mmc->ops = &calder_mmc_ops;
	mmc->ocr_avail = MMC_VDD_32_33 | MMC_VDD_33_34;

	ret = mmc_add_host(mmc);
	if (ret)
		goto err_free_irq;

	chip->slot = slot;

	return 0;

err_free_irq:
	free_irq(slot->irq, slot);
err_free_vectors:
	pci_free_irq_vectors(slot->chip->pdev);
	return ret;
}

static int calder_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct calder_chip *chip;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	chip = devm_kzalloc(&pdev->dev, sizeof(*chip), GFP_KERNEL);
	if (!chip)
		return -ENOMEM;

	chip->pdev = pdev;
	pci_set_drvdata(pdev, chip);

	return calder_probe_slot(chip);
}

static void calder_remove(struct pci_dev *pdev)
{
	struct calder_chip *chip = pci_get_drvdata(pdev);
	struct calder_slot *slot = chip->slot;

	mmc_remove_host(slot->mmc);
	free_irq(slot->irq, slot);

	pci_free_irq_vectors(pdev);

	writeb(0, slot->ioaddr + CALDER_REG_POWER);
}

static const struct pci_device_id calder_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_CALDER, PCI_DEVICE_ID_CALDER_CMSD3) },
	{ }
};
MODULE_DEVICE_TABLE(pci, calder_pci_ids);

static struct pci_driver calder_pci_driver = {
	.name		= "calder-mmc-pci",
	.id_table	= calder_pci_ids,
	.probe		= calder_probe,
	.remove		= calder_remove,
};
module_pci_driver(calder_pci_driver);

MODULE_DESCRIPTION("Calder CM-SD3 PCI SD host controller driver");
MODULE_AUTHOR("Ewan Szczepanski <ewan.szczepanski@example.com>");
MODULE_LICENSE("GPL");
