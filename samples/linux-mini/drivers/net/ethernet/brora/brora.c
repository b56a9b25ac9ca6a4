// SPDX-License-Identifier: GPL-2.0
/*
 * Brora BR-1G Ethernet controller
 *
 * A single-queue gigabit MAC; the station address is read from two
 * registers that the boot firmware fills in from the card's EEPROM.
 */
#include <linux/bits.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>

#define DRV_NAME			"brora"

#define PCI_VENDOR_ID_BRORA		0x1a58
#define PCI_DEVICE_ID_BRORA_BR1G	0x0110

#define BRORA_REG_CTRL			0x0000
#define BRORA_REG_MAC_LO		0x0040
#define BRORA_REG_MAC_HI		0x0044
#define BRORA_CTRL_RX_EN		BIT(0)
#define BRORA_CTRL_TX_EN		BIT(1)

struct brora_priv {
	struct net_device *netdev;
	struct pci_dev *pdev;
	void __iomem *base;
};

static int brora_open(struct net_device *netdev)
{
	struct brora_priv *priv = netdev_priv(netdev);

	writel(BRORA_CTRL_RX_EN | BRORA_CTRL_TX_EN, priv->base + BRORA_REG_CTRL);
	netif_start_queue(netdev);

	return 0;
}

static int brora_stop(struct net_device *netdev)
{
	struct brora_priv *priv = netdev_priv(netdev);

	netif_stop_queue(netdev);
	writel(0, priv->base + BRORA_REG_CTRL);

	return 0;
}

static netdev_tx_t brora_start_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	dev_kfree_skb_any(skb);
	netdev->stats.tx_dropped++;

	return NETDEV_TX_OK;
}

static const struct net_device_ops brora_netdev_ops = {
	.ndo_open		= brora_open,
	.ndo_stop		= brora_stop,
	.ndo_start_xmit		= brora_start_xmit,
	.ndo_validate_addr	= eth_validate_addr,
};

static void brora_read_mac(struct brora_priv *priv)
{
	u32 lo = readl(priv->base + BRORA_REG_MAC_LO);
	u32 hi = readl(priv->base + BRORA_REG_MAC_HI);
	u8 addr[ETH_ALEN];

	addr[0] = lo;
	addr[1] = lo >> 8;
	addr[2] = lo >> 16;
	addr[3] = lo >> 24;
	addr[4] = hi;
	addr[5] = hi >> 8;

	if (is_valid_ether_addr(addr))
		eth_hw_addr_set(priv->netdev, addr);
	else
		eth_hw_addr_random(priv->netdev);
}

static int brora_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct net_device *netdev;
	struct brora_priv *priv;
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
	priv->pdev = pdev;

	ret = pcim_iomap_regions(pdev, BIT(0), DRV_NAME);
	if (ret) {
		dev_err(&pdev->dev, "pcim_iomap_regions failed (%d)\n", ret);
		return ret;
	}

	priv->base = pcim_iomap_table(pdev)[0];
	if (!priv->base) {
		dev_err(&pdev->dev, "cannot map the register BAR\n");
		return -ENOMEM;
	}

	pci_set_master(pdev);
	brora_read_mac(priv);
	netdev->netdev_ops = &brora_netdev_ops;
	pci_set_drvdata(pdev, priv);

	return register_netdev(netdev);
}

static void brora_remove(struct pci_dev *pdev)
{
	struct brora_priv *priv = pci_get_drvdata(pdev);

	unregister_netdev(priv->netdev);
}

static const struct pci_device_id brora_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_BRORA, PCI_DEVICE_ID_BRORA_BR1G) },
	{ }
};
MODULE_DEVICE_TABLE(pci, brora_pci_ids);

static struct pci_driver brora_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= brora_pci_ids,
	.probe		= brora_probe,
	.remove		= brora_remove,
};
module_pci_driver(brora_pci_driver);

MODULE_DESCRIPTION("Brora BR-1G Ethernet driver");
MODULE_AUTHOR("Niamh Ruadhan <niamh.ruadhan@example.com>");
MODULE_LICENSE("GPL");
