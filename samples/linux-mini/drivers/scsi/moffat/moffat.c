// SPDX-License-Identifier: GPL-2.0
/*
 * Moffat MS-2 two port SATA bridge
 *
 * The SATA status and control registers are reached through an index
 * and data register pair (SIDPR) in BAR 3.  Early board revisions leave
 * BAR 3 unassigned; those boards work without SCR access.
 */
#include <linux/bits.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <scsi/scsi_host.h>

#define DRV_NAME			"moffat"

#define PCI_VENDOR_ID_MOFFAT		0x1b59
#define PCI_DEVICE_ID_MOFFAT_MS2	0x0220

#define MOFFAT_MMIO_BAR			0
#define MOFFAT_SIDPR_BAR		3

#define MOFFAT_REG_GHC			0x00
#define MOFFAT_GHC_ENABLE		BIT(0)
#define MOFFAT_SIDPR_IDX		0x00
#define MOFFAT_SIDPR_DATA		0x04
#define MOFFAT_HFLAG_SIDPR		BIT(0)

struct moffat_host_priv {
	struct Scsi_Host *shost;
	void __iomem *mmio;
	void __iomem *sidpr;
	unsigned int flags;
};

static const struct scsi_host_template moffat_sht = {
	.module		= THIS_MODULE,
	.name		= DRV_NAME,
	.this_id	= -1,
	.can_queue	= 31,
	.sg_tablesize	= 64,
};

static void moffat_init_sidpr(struct pci_dev *pdev, struct moffat_host_priv *hpriv)
{
	if (pcim_iomap_regions(pdev, 1 << MOFFAT_SIDPR_BAR, DRV_NAME))
		return;

	hpriv->sidpr = pcim_iomap_table(pdev)[MOFFAT_SIDPR_BAR];
	writel(0, hpriv->sidpr + MOFFAT_SIDPR_IDX);
	hpriv->flags |= MOFFAT_HFLAG_SIDPR;
}

static int moffat_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct moffat_host_priv *hpriv;
	int rc;

	hpriv = devm_kzalloc(&pdev->dev, sizeof(*hpriv), GFP_KERNEL);
	if (!hpriv)
		return -ENOMEM;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	hpriv->mmio = pcim_iomap_region(pdev, MOFFAT_MMIO_BAR, DRV_NAME);
	if (IS_ERR(hpriv->mmio))
		return PTR_ERR(hpriv->mmio);

	moffat_init_sidpr(pdev, hpriv);
	pci_set_master(pdev);
	pci_set_drvdata(pdev, hpriv);

	hpriv->shost = scsi_host_alloc(&moffat_sht, 0);
	if (!hpriv->shost)
		return -ENOMEM;

	writel(MOFFAT_GHC_ENABLE, hpriv->mmio + MOFFAT_REG_GHC);

	rc = scsi_add_host(hpriv->shost, &pdev->dev);
	if (rc) {
		writel(0, hpriv->mmio + MOFFAT_REG_GHC);
		scsi_host_put(hpriv->shost);
		return rc;
	}

	scsi_scan_host(hpriv->shost);

	return 0;
}

static void moffat_remove(struct pci_dev *pdev)
{
	struct moffat_host_priv *hpriv = pci_get_drvdata(pdev);

	scsi_remove_host(hpriv->shost);
	writel(0, hpriv->mmio + MOFFAT_REG_GHC);
	scsi_host_put(hpriv->shost);
}

static const struct pci_device_id moffat_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_MOFFAT, PCI_DEVICE_ID_MOFFAT_MS2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, moffat_pci_ids);

static struct pci_driver moffat_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= moffat_pci_ids,
	.probe		= moffat_probe,
	.remove		= moffat_remove,
};
module_pci_driver(moffat_pci_driver);

MODULE_DESCRIPTION("Moffat MS-2 SATA bridge driver");
MODULE_AUTHOR("Kirsty Carruthers <kirsty.carruthers@example.com>");
MODULE_LICENSE("GPL");
