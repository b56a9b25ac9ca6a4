// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pata_wigton.c - Wigton WP-2 dual channel PATA controller
 *
 * Both channels' taskfile, control and bus master registers are memory
 * mapped in one BAR, one 256 byte block per channel.
 */
#include <linux/bits.h>
#include <linux/libata.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <scsi/scsi_host.h>

#define DRV_NAME			"pata_wigton"
#define DRV_VERSION			"0.3"

#define PCI_VENDOR_ID_WIGTON		0x1c27
#define PCI_DEVICE_ID_WIGTON_WP2	0x0002

#define WIGTON_MMIO_BAR			5
#define WIGTON_NR_PORTS			2
#define WIGTON_PORT_STRIDE		0x100
#define WIGTON_CTL_OFFSET		0x80
#define WIGTON_BMDMA_OFFSET		0xc0

static const struct scsi_host_template wigton_sht = {
	ATA_BMDMA_SHT(DRV_NAME),
};

static struct ata_port_operations wigton_port_ops = {
	.inherits	= &ata_bmdma_port_ops,
	.cable_detect	= ata_cable_40wire,
};

static const struct ata_port_info wigton_port_info = {
	.flags		= ATA_FLAG_SLAVE_POSS,
	.pio_mask	= ATA_PIO4,
	.mwdma_mask	= ATA_MWDMA2,
	.udma_mask	= ATA_UDMA5,
	.port_ops	= &wigton_port_ops,
};

static int wigton_init_one(struct pci_dev *pdev, const struct pci_device_id *id)
{
	const struct ata_port_info *ppi[] = { &wigton_port_info, NULL };
	struct ata_host *host;
	void __iomem *mmio;
	int i, rc;

	ata_print_version_once(&pdev->dev, DRV_VERSION);

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	host = ata_host_alloc_pinfo(&pdev->dev, ppi, WIGTON_NR_PORTS);
	if (!host)
		return -ENOMEM;

	rc = pcim_iomap_regions(pdev, 1 << WIGTON_MMIO_BAR, DRV_NAME);
	if (rc == -EBUSY)
		pcim_pin_device(pdev);
	if (rc)
		return rc;
	mmio = pcim_iomap_table(pdev)[WIGTON_MMIO_BAR];

	for (i = 0; i < host->n_ports; i++) {
		struct ata_ioports *ioaddr = &host->ports[i]->ioaddr;
		void __iomem *base = mmio + i * WIGTON_PORT_STRIDE;

		ioaddr->cmd_addr = base;
		ioaddr->altstatus_addr = base + WIGTON_CTL_OFFSET;
		ioaddr->ctl_addr = base + WIGTON_CTL_OFFSET;
		ioaddr->bmdma_addr = base + WIGTON_BMDMA_OFFSET;
		ata_sff_std_ports(ioaddr);
	}

	rc = dma_set_mask_and_coherent(&pdev->dev, ATA_DMA_MASK);
	if (rc)
		return rc;

	pci_set_master(pdev);

	return ata_host_activate(host, pdev->irq, ata_bmdma_interrupt, IRQF_SHARED, &wigton_sht);
}

static const struct pci_device_id wigton_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_WIGTON, PCI_DEVICE_ID_WIGTON_WP2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, wigton_pci_tbl);

static struct pci_driver wigton_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= wigton_pci_tbl,
	.probe		= wigton_init_one,
	.remove		= ata_pci_remove_one,
};
module_pci_driver(wigton_pci_driver);

MODULE_DESCRIPTION("low-level driver for the Wigton WP-2 PATA controller");
MODULE_AUTHOR("Hamish Lockerbie <hamish.lockerbie@example.com>");
MODULE_LICENSE("GPL");
MODULE_VERSION(DRV_VERSION);
