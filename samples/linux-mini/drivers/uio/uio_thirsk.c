// SPDX-License-Identifier: GPL-2.0
/*
 * Thirsk TK-9 data acquisition card, userspace I/O driver
 *
 * The acquisition itself is run from user space through the mapped BAR;
 * the kernel only acknowledges the card's interrupt.
 */
#include <linux/bits.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uio_driver.h>

#define DRV_NAME			"uio_thirsk"

#define PCI_VENDOR_ID_THIRSK		0x1f67
#define PCI_DEVICE_ID_THIRSK_TK9	0x0009

#define THIRSK_REG_IRQ_STATUS		0x00
#define THIRSK_REG_IRQ_MASK		0x04
#define THIRSK_REG_HOST_CTRL		0x08
#define THIRSK_HOST_READY		BIT(0)

struct thirsk_priv {
	struct pci_dev *pdev;
	struct uio_info info;
	void __iomem *regs;
};

static irqreturn_t thirsk_handler(int irq, struct uio_info *info)
{
	struct thirsk_priv *priv = info->priv;
	u32 status;

	status = readl(priv->regs + THIRSK_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;

	writel(status, priv->regs + THIRSK_REG_IRQ_STATUS);

	return IRQ_HANDLED;
}

static void thirsk_mmio_init(struct thirsk_priv *priv, void __iomem *regs)
{
	priv->regs = regs;
	priv->info.mem[0].internal_addr = regs;
	priv->info.mem[0].addr = pci_resource_start(priv->pdev, 0);
	priv->info.mem[0].size = pci_resource_len(priv->pdev, 0);
	priv->info.mem[0].memtype = UIO_MEM_PHYS;

	writel(0, regs + THIRSK_REG_IRQ_MASK);
	writel(THIRSK_HOST_READY, regs + THIRSK_REG_HOST_CTRL);
}

static int thirsk_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct thirsk_priv *priv;
	int ret;

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ret = pcim_iomap_regions(pdev, BIT(0), DRV_NAME);
	if (ret)
		return ret;

	priv->pdev = pdev;
	thirsk_mmio_init(priv, pcim_iomap_table(pdev)[0]);

	priv->info.name = DRV_NAME;
	priv->info.version = "1.0";
	priv->info.irq = pdev->irq;
	priv->info.irq_flags = IRQF_SHARED;
	priv->info.handler = thirsk_handler;
	priv->info.priv = priv;
	pci_set_drvdata(pdev, priv);

	return devm_uio_register_device(&pdev->dev, &priv->info);
}

static void thirsk_remove(struct pci_dev *pdev)
{
	struct thirsk_priv *priv = pci_get_drvdata(pdev);

	writel(0, priv->regs + THIRSK_REG_HOST_CTRL);
}

static const struct pci_device_id thirsk_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_THIRSK, PCI_DEVICE_ID_THIRSK_TK9) },
	{ }
};
MODULE_DEVICE_TABLE(pci, thirsk_pci_ids);

static struct pci_driver thirsk_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= thirsk_pci_ids,
	.probe		= thirsk_probe,
	.remove		= thirsk_remove,
};
module_pci_driver(thirsk_pci_driver);

MODULE_DESCRIPTION("Thirsk TK-9 data acquisition card UIO driver");
MODULE_AUTHOR("Alasdair Pennock <alasdair.pennock@example.com>");
MODULE_LICENSE("GPL");
