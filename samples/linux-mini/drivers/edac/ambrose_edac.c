// SPDX-License-Identifier: GPL-2.0
/*
 * EDAC driver for the Ambrose AM-3 memory controller hub
 *
 * Corrected and uncorrected ECC events are signalled through one MSI.
 */
#include <linux/edac.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_AMBROSE		0x1b8c
#define PCI_DEVICE_ID_AMBROSE_AM3	0x0003

#define AMBROSE_NR_CSROWS		4
#define AMBROSE_REG_ECC_STATUS		0x20
#define AMBROSE_REG_ECC_ADDR		0x24
#define AMBROSE_ECC_CE			BIT(0)
#define AMBROSE_ECC_UE			BIT(1)

struct ambrose_priv {
	void __iomem *regs;
};

static irqreturn_t ambrose_ecc_irq(int irq, void *data)
{
	struct mem_ctl_info *mci = data;
	struct ambrose_priv *priv = mci->pvt_info;
	u32 status = readl(priv->regs + AMBROSE_REG_ECC_STATUS);
	u32 addr = readl(priv->regs + AMBROSE_REG_ECC_ADDR);

	if (!(status & (AMBROSE_ECC_CE | AMBROSE_ECC_UE)))
		return IRQ_NONE;

	writel(status, priv->regs + AMBROSE_REG_ECC_STATUS);
	edac_mc_handle_error(status & AMBROSE_ECC_UE ? HW_EVENT_ERR_UNCORRECTED :
			     HW_EVENT_ERR_CORRECTED, mci, 1, PHYS_PFN(addr),
			     offset_in_page(addr), 0, 0, -1, -1, "ECC", "");

	return IRQ_HANDLED;
}

static int ambrose_init_irq(struct device *dev, struct mem_ctl_info *mci)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;

	return devm_request_irq(dev, pci_irq_vector(pdev, 0), ambrose_ecc_irq, 0,
				"ambrose_edac", mci);
}

static int ambrose_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edac_mc_layer layers[1];
	struct ambrose_priv *priv;
	struct mem_ctl_info *mci;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	layers[0].type = EDAC_MC_LAYER_CHIP_SELECT;
	layers[0].size = AMBROSE_NR_CSROWS;
	layers[0].is_virt_csrow = true;

	mci = edac_mc_alloc(0, ARRAY_SIZE(layers), layers, sizeof(*priv));
	if (!mci)
		return -ENOMEM;

	priv = mci->pvt_info;
	priv->regs = pcim_iomap_region(pdev, 0, "ambrose_edac");
	if (IS_ERR(priv->regs)) {
		ret = PTR_ERR(priv->regs);
		goto err_free_mci;
	}

	mci->pdev = &pdev->dev;
	mci->mtype_cap = MEM_FLAG_DDR4;
	mci->edac_ctl_cap = EDAC_FLAG_SECDED;
	mci->mod_name = "ambrose_edac";
	mci->ctl_name = "Ambrose AM-3";
	mci->dev_name = pci_name(pdev);

	ret = ambrose_init_irq(&pdev->dev, mci);
	if (ret)
		goto err_free_mci;

	ret = edac_mc_add_mc(mci);
	if (ret)
		goto err_free_mci;

	pci_set_drvdata(pdev, mci);

	return 0;

err_free_mci:
	edac_mc_free(mci);
	return ret;
}

static void ambrose_remove(struct pci_dev *pdev)
{
	struct mem_ctl_info *mci = edac_mc_del_mc(&pdev->dev);

	if (mci)
		edac_mc_free(mci);
}

static const struct pci_device_id ambrose_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_AMBROSE, PCI_DEVICE_ID_AMBROSE_AM3) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ambrose_pci_tbl);

static struct pci_driver ambrose_edac_driver = {
	.name		= "ambrose_edac",
	.id_table	= ambrose_pci_tbl,
	.probe		= ambrose_probe,
	.remove		= ambrose_remove,
};
module_pci_driver(ambrose_edac_driver);

MODULE_DESCRIPTION("EDAC driver for the Ambrose AM-3 memory controller hub");
MODULE_AUTHOR("Keziah Oyelaran <keziah.oyelaran@example.com>");
MODULE_LICENSE("GPL");
