// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tarn Semiconductor TS-QSPI PCI host controller driver
 *
 * Copyright (C) 2023 Tarn Semiconductor
 */
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/spi/spi.h>

#define PCI_VENDOR_ID_TARN		0x1d5b
#define PCI_DEVICE_ID_TARN_QSPI		0x7001

#define TARN_SPI_CTRL			0x00
#define TARN_SPI_IRQ_STATUS		0x10
#define TARN_SPI_IRQ_ENABLE		0x14
#define TARN_SPI_IRQ_XFER_DONE		BIT(0)
#define TARN_SPI_NUM_CS			4

struct tarn_spi {
	struct pci_dev *pdev;
	struct spi_controller *host;
	void __iomem *regs;
	int irq;
};

static irqreturn_t tarn_spi_irq(int irq, void *dev_id)
{
	struct tarn_spi *priv = dev_id;
	u32 status = readl(priv->regs + TARN_SPI_IRQ_STATUS);

	if (!(status & TARN_SPI_IRQ_XFER_DONE))
		return IRQ_NONE;

	writel(status, priv->regs + TARN_SPI_IRQ_STATUS);
	spi_finalize_current_transfer(priv->host);

	return IRQ_HANDLED;
}

static int tarn_spi_transfer_one(struct spi_controller *host, struct spi_device *spi,
				 struct spi_transfer *xfer)
{
	/* FIFO handling is not part of the sample; pretend it is in flight */
	return 1;
}

static int tarn_spi_setup_irq(struct tarn_spi *priv)
{
	int ret;

	ret = pci_alloc_irq_vectors(priv->pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	priv->irq = pci_irq_vector(priv->pdev, 0);

	return devm_request_irq(&priv->pdev->dev, priv->irq, tarn_spi_irq, IRQF_SHARED,
				"spi-tarn", priv);
}

static int tarn_spi_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct spi_controller *host;
	struct tarn_spi *priv;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	host = devm_spi_alloc_host(&pdev->dev, sizeof(*priv));
	if (!host)
		return -ENOMEM;

	priv = spi_controller_get_devdata(host);
	priv->pdev = pdev;
	priv->host = host;

	priv->regs = pcim_iomap_region(pdev, 0, "spi-tarn");
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);

	ret = tarn_spi_setup_irq(priv);
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "cannot set up interrupt\n");

	writel(TARN_SPI_IRQ_XFER_DONE, priv->regs + TARN_SPI_IRQ_ENABLE);

	host->num_chipselect = TARN_SPI_NUM_CS;
	host->mode_bits = SPI_CPOL | SPI_CPHA | SPI_TX_QUAD | SPI_RX_QUAD;
	host->bits_per_word_mask = SPI_BPW_MASK(8);
	host->transfer_one = tarn_spi_transfer_one;

	return devm_spi_register_controller(&pdev->dev, host);
}

static const struct pci_device_id tarn_spi_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_TARN, PCI_DEVICE_ID_TARN_QSPI) },
	{ }
};
MODULE_DEVICE_TABLE(pci, tarn_spi_pci_ids);

static struct pci_driver tarn_spi_pci_driver = {
	.name		= "spi-tarn-pci",
	.id_table	= tarn_spi_pci_ids,
	.probe		= tarn_spi_probe,
};
module_pci_driver(tarn_spi_pci_driver);

MODULE_DESCRIPTION("Tarn TS-QSPI PCI host controller driver");
MODULE_AUTHOR("Henrik Vasquez <henrik.vasquez@example.org>");
MODULE_LICENSE("GPL");
