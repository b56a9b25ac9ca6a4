// SPDX-License-Identifier: GPL-2.0
/*
 * Ruthven RV-25 25GbE controller driver
 *
 * On shutdown the controller must be left with interrupts torn down, or
 * the firmware of some hosts fails to hand it over to the next kernel.
 */
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_RUTHVEN		0x1f83
#define PCI_DEVICE_ID_RUTHVEN_RV25	0x0025

#define RUTHVEN_REG_CTRL		0x0000
#define RUTHVEN_REG_IRQ_CAUSE		0x0040
#define RUTHVEN_CTRL_RX_EN		BIT(0)
#define RUTHVEN_CTRL_TX_EN		BIT(1)

struct ruthven_priv {
	struct net_device *netdev;
	void __iomem *regs;
};

static irqreturn_t ruthven_irq(int irq, void *data)
{
	struct ruthven_priv *priv = data;
	u32 cause = readl(priv->regs + RUTHVEN_REG_IRQ_CAUSE);

	if (!cause)
		return IRQ_NONE;

	writel(cause, priv->regs + RUTHVEN_REG_IRQ_CAUSE);

	return IRQ_HANDLED;
}

static void ruthven_stop_hw(struct ruthven_priv *priv)
{
	writel(0, priv->regs + RUTHVEN_REG_CTRL);
}

static const struct net_device_ops ruthven_netdev_ops = {
	.ndo_validate_addr	= eth_validate_addr,
};

static int ruthven_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct net_device *netdev;
	struct ruthven_priv *priv;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	netdev = devm_alloc_etherdev(&pdev->dev, sizeof(*priv));
	if (!netdev)
		return -ENOMEM;

	SET_NETDEV_DEV(netdev, &pdev->dev);
	priv = netdev_priv(netdev);
	priv->netdev = netdev;
	pci_set_drvdata(pdev, priv);

	priv->regs = pcim_iomap_region(pdev, 0, "ruthven");
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX | PCI_IRQ_MSI);
	if (ret < 0)
		return ret;

	ret = request_irq(pci_irq_vector(pdev, 0), ruthven_irq, 0, "ruthven", priv);
	if (ret)
		return ret;

	netdev->netdev_ops = &ruthven_netdev_ops;
	eth_hw_addr_random(netdev);

	ret = register_netdev(netdev);
	if (ret) {
		free_irq(pci_irq_vector(pdev, 0), priv);
		return ret;
	}

	writel(RUTHVEN_CTRL_RX_EN | RUTHVEN_CTRL_TX_EN, priv->regs + RUTHVEN_REG_CTRL);

	return 0;
}

static void ruthven_remove(struct pci_dev *pdev)
{
	struct ruthven_priv *priv = pci_get_drvdata(pdev);

	unregister_netdev(priv->netdev);
	ruthven_stop_hw(priv);
	free_irq(pci_irq_vector(pdev, 0), priv);
	pci_free_irq_vectors(pdev);
}

static void ruthven_shutdown(struct pci_dev *pdev)
{
	struct ruthven_priv *priv = pci_get_drvdata(pdev);

	rtnl_lock();
	netif_device_detach(priv->netdev);
	rtnl_unlock();

	ruthven_stop_hw(priv);
	free_irq(pci_irq_vector(pdev, 0), priv);
	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id ruthven_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_RUTHVEN, PCI_DEVICE_ID_RUTHVEN_RV25) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ruthven_pci_tbl);

static struct pci_driver ruthven_pci_driver = {
	.name		= "ruthven",
	.id_table	= ruthven_pci_tbl,
	.probe		= ruthven_probe,
	.remove		= ruthven_remove,
	.shutdown	= ruthven_shutdown,
};
module_pci_driver(ruthven_pci_driver);

MODULE_DESCRIPTION("Ruthven RV-25 25GbE driver");
MODULE_AUTHOR("Gwendolyn Aberathy <gwendolyn.aberathy@example.com>");
MODULE_LICENSE("GPL");
