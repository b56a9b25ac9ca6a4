// SPDX-License-Identifier: GPL-2.0
/*
 * Fenwick FNX-10G Ethernet driver
 *
 * Copyright (C) 2024 Fenwick Networks Ltd.
 */
#include <linux/etherdevice.h>
#include <linux/module.h>

#include "fnx.h"

#define PCI_VENDOR_ID_FENWICK		0x1f1d
#define PCI_DEVICE_ID_FENWICK_FNX10G	0x0a10

static int fnx_open(struct net_device *netdev)
{
	netif_tx_start_all_queues(netdev);

	return 0;
}

static int fnx_stop(struct net_device *netdev)
{
	netif_tx_stop_all_queues(netdev);

	return 0;
}

static netdev_tx_t fnx_start_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	/* Descriptor rings are not part of the sample */
	dev_kfree_skb_any(skb);

	return NETDEV_TX_OK;
}

static const struct net_device_ops fnx_netdev_ops = {
	.ndo_open		= fnx_open,
	.ndo_stop		= fnx_stop,
	.ndo_start_xmit		= fnx_start_xmit,
	.ndo_validate_addr	= eth_validate_addr,
};

static int fnx_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct net_device *netdev;
	struct fnx_priv *priv;
	int err;

	err = pcim_enable_device(pdev);
	if (err)
		return err;

	pci_set_master(pdev);

	netdev = devm_alloc_etherdev_mqs(&pdev->dev, sizeof(*priv), FNX_MAX_VECS - 1,
					 FNX_MAX_VECS - 1);
	if (!netdev)
		return -ENOMEM;

	SET_NETDEV_DEV(netdev, &pdev->dev);
	priv = netdev_priv(netdev);
	priv->pdev = pdev;
	priv->netdev = netdev;
	pci_set_drvdata(pdev, priv);

	priv->hw = pcim_iomap_region(pdev, 0, FNX_DRV_NAME);
	if (IS_ERR(priv->hw))
		return PTR_ERR(priv->hw);

	err = fnx_irq_init(priv);
	if (err) {
		dev_err(&pdev->dev, "failed to set up interrupts: %d\n", err);
		return err;
	}

	netdev->netdev_ops = &fnx_netdev_ops;
	eth_hw_addr_random(netdev);

	err = register_netdev(netdev);
	if (err)
		return err;

	fnx_debugfs_init(priv);

	return 0;
}

static void fnx_remove(struct pci_dev *pdev)
{
	struct fnx_priv *priv = pci_get_drvdata(pdev);

	fnx_debugfs_exit(priv);
	unregister_netdev(priv->netdev);
}

static const struct pci_device_id fnx_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_FENWICK, PCI_DEVICE_ID_FENWICK_FNX10G) },
	{ }
};
MODULE_DEVICE_TABLE(pci, fnx_pci_tbl);

static struct pci_driver fnx_pci_driver = {
	.name		= FNX_DRV_NAME,
	.id_table	= fnx_pci_tbl,
	.probe		= fnx_probe,
	.remove		= fnx_remove,
};
module_pci_driver(fnx_pci_driver);

MODULE_DESCRIPTION("Fenwick FNX-10G Ethernet driver");
MODULE_AUTHOR("Odile Marchetti <odile.marchetti@example.com>");
MODULE_LICENSE("GPL");
