// SPDX-License-Identifier: GPL-2.0
/*
 * Tain TS-4 four port SATA host adapter
 *
 * The adapter presents its ports to the SCSI midlayer as one host; every
 * register, per-port and global, is in the memory BAR 4.
 */
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <scsi/scsi_host.h>

#define DRV_NAME			"tain"

#define PCI_VENDOR_ID_TAIN		0x1e06
#define PCI_DEVICE_ID_TAIN_TS4		0x0004

#define TAIN_REG_GHC			0x00
#define TAIN_REG_IRQ_STATUS		0x08
#define TAIN_GHC_IRQ_EN			BIT(1)
#define TAIN_NR_PORTS			4

struct tain_host {
	struct pci_dev *pdev;
	struct Scsi_Host *shost;
	void __iomem * const *iomap;
	u32 port_events[TAIN_NR_PORTS];
};

static u32 tain_readl(struct tain_host *host, unsigned int reg)
{
	return readl(host->iomap[4] + reg);
}

static void tain_writel(struct tain_host *host, unsigned int reg, u32 val)
{
	writel(val, host->iomap[4] + reg);
}

static irqreturn_t tain_interrupt(int irq, void *data)
{
	struct tain_host *host = data;
	u32 status;
	int i;

	status = tain_readl(host, TAIN_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;

	tain_writel(host, TAIN_REG_IRQ_STATUS, status);
	for (i = 0; i < TAIN_NR_PORTS; i++)
		if (status & BIT(i))
			host->port_events[i]++;

	return IRQ_HANDLED;
}

static const struct scsi_host_template tain_sht = {
	.module		= THIS_MODULE,
	.name		= DRV_NAME,
	.this_id	= -1,
	.can_queue	= 32,
	.sg_tablesize	= 128,
};

static int tain_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct tain_host *host;
	int rc;

	host = devm_kzalloc(&pdev->dev, sizeof(*host), GFP_KERNEL);
	if (!host)
		return -ENOMEM;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	rc = pcim_iomap_regions(pdev, 1 << 4, DRV_NAME);
	if (rc == -EBUSY)
		pcim_pin_device(pdev);
	if (rc)
		return rc;
	host->iomap = pcim_iomap_table(pdev);
	host->pdev = pdev;

	pci_set_master(pdev);
	pci_set_drvdata(pdev, host);

	rc = devm_request_irq(&pdev->dev, pdev->irq, tain_interrupt, IRQF_SHARED, DRV_NAME, host);
	if (rc)
		return rc;

	host->shost = scsi_host_alloc(&tain_sht, 0);
	if (!host->shost)
		return -ENOMEM;

	tain_writel(host, TAIN_REG_GHC, TAIN_GHC_IRQ_EN);

	rc = scsi_add_host(host->shost, &pdev->dev);
	if (rc) {
		tain_writel(host, TAIN_REG_GHC, 0);
		scsi_host_put(host->shost);
		return rc;
	}

	scsi_scan_host(host->shost);

	return 0;
}

static void tain_remove(struct pci_dev *pdev)
{
	struct tain_host *host = pci_get_drvdata(pdev);

	scsi_remove_host(host->shost);
	tain_writel(host, TAIN_REG_GHC, 0);
	scsi_host_put(host->shost);
}

static const struct pci_device_id tain_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_TAIN, PCI_DEVICE_ID_TAIN_TS4) },
	{ }
};
MODULE_DEVICE_TABLE(pci, tain_pci_ids);

static struct pci_driver tain_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= tain_pci_ids,
	.probe		= tain_probe,
	.remove		= tain_remove,
};
module_pci_driver(tain_pci_driver);

MODULE_DESCRIPTION("Tain TS-4 SATA host adapter driver");
MODULE_AUTHOR("Morven Gillanders <morven.gillanders@example.com>");
MODULE_LICENSE("GPL");
