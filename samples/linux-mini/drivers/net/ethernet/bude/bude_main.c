// SPDX-License-Identifier: GPL-2.0
/*
 * Bude BD-10 Ethernet controller
 *
 * The hardware access layer only sees struct bude_hw, so that it can be
 * shared with the firmware's diagnostics build.
 */
#include <linux/bits.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>

#define DRV_NAME			"bude"

#define PCI_VENDOR_ID_BUDE		0x1a82
#define PCI_DEVICE_ID_BUDE_BD10		0x0a10

#define BUDE_REG_CTRL			0x0000
#define BUDE_REG_RAL			0x5400
#define BUDE_REG_RAH			0x5404
#define BUDE_CTRL_RST			BIT(26)

struct bude_priv;

struct bude_hw {
	void __iomem *hw_addr;
	struct bude_priv *back;
	u8 mac_addr[ETH_ALEN];
};

struct bude_priv {
	struct net_device *netdev;
	struct pci_dev *pdev;
	struct bude_hw hw;
};

static void bude_hw_reset(struct bude_hw *hw)
{
	writel(BUDE_CTRL_RST, hw->hw_addr + BUDE_REG_CTRL);
}

static void bude_hw_read_mac(struct bude_hw *hw)
{
	u32 ral = readl(hw->hw_addr + BUDE_REG_RAL);
	u32 rah = readl(hw->hw_addr + BUDE_REG_RAH);

	hw->mac_addr[0] = ral;
	hw->mac_addr[1] = ral >> 8;
	hw->mac_addr[2] = ral >> 16;
	hw->mac_addr[3] = ral >> 24;
	hw->mac_addr[4] = rah;
	hw->mac_addr[5] = rah >> 8;
}

static int bude_open(struct net_device *netdev)
{
	netif_start_queue(netdev);

	return 0;
}

static int bude_close(struct net_device *netdev)
{
	netif_stop_queue(netdev);

	return 0;
}

static netdev_tx_t bude_xmit_frame(struct sk_buff *skb, struct net_device *netdev)
{
	dev_kfree_skb_any(skb);
	netdev->stats.tx_dropped++;

	return NETDEV_TX_OK;
}

static const struct net_device_ops bude_netdev_ops = {
	.ndo_open		= bude_open,
	.ndo_stop		= bude_close,
	.ndo_start_xmit		= bude_xmit_frame,
	.ndo_validate_addr	= eth_validate_addr,
};

static int bude_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct net_device *netdev;
	struct bude_priv *priv;
	struct bude_hw *hw;
	int err;

	err = pcim_enable_device(pdev);
	if (err)
		return err;

	netdev = devm_alloc_etherdev(&pdev->dev, sizeof(*priv));
	if (!netdev)
		return -ENOMEM;

	SET_NETDEV_DEV(netdev, &pdev->dev);
	priv = netdev_priv(netdev);
	priv->netdev = netdev;
	priv->pdev = pdev;

	err = pcim_iomap_regions(pdev, BIT(0), DRV_NAME);
	if (err)
		return err;

	pci_set_master(pdev);
	hw = &priv->hw;
	hw->hw_addr = pcim_iomap_table(pdev)[0];
	hw->back = priv;

	bude_hw_reset(hw);
	bude_hw_read_mac(hw);
	if (is_valid_ether_addr(hw->mac_addr))
		eth_hw_addr_set(netdev, hw->mac_addr);
	else
		eth_hw_addr_random(netdev);

	netdev->netdev_ops = &bude_netdev_ops;
	pci_set_drvdata(pdev, priv);

	return register_netdev(netdev);
}

static void bude_remove(struct pci_dev *pdev)
{
	struct bude_priv *priv = pci_get_drvdata(pdev);

	unregister_netdev(priv->netdev);
	bude_hw_reset(&priv->hw);
}

static const struct pci_device_id bude_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_BUDE, PCI_DEVICE_ID_BUDE_BD10) },
	{ }
};
MODULE_DEVICE_TABLE(pci, bude_pci_tbl);

static struct pci_driver bude_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= bude_pci_tbl,
	.probe		= bude_probe,
	.remove		= bude_remove,
};
module_pci_driver(bude_pci_driver);

MODULE_DESCRIPTION("Bude BD-10 Ethernet driver");
MODULE_AUTHOR("Tegen Polglase <tegen.polglase@example.org>");
MODULE_LICENSE("GPL");
