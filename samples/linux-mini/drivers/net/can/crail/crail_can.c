// SPDX-License-Identifier: GPL-2.0
/*
 * Crail CC-2 dual channel CAN card
 *
 * Each channel's controller has a BAR of its own: channel 0 in BAR 0,
 * channel 1 in BAR 1.
 */
#include <linux/bits.h>
#include <linux/can/dev.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>

#define DRV_NAME			"crail_can"

#define PCI_VENDOR_ID_CRAIL		0x1e38
#define PCI_DEVICE_ID_CRAIL_CC2		0x0c22

#define CRAIL_NR_CHANNELS		2
#define CRAIL_CAN_CLOCK			40000000
#define CRAIL_REG_MODE			0x00
#define CRAIL_MODE_RESET		BIT(0)

struct crail_card;

struct crail_chan {
	struct can_priv can;
	struct crail_card *card;
	void __iomem *regs;
};

struct crail_card {
	struct pci_dev *pdev;
	struct net_device *ndev[CRAIL_NR_CHANNELS];
};

static int crail_open(struct net_device *ndev)
{
	struct crail_chan *ch = netdev_priv(ndev);
	int err;

	err = open_candev(ndev);
	if (err)
		return err;

	writel(0, ch->regs + CRAIL_REG_MODE);
	netif_start_queue(ndev);

	return 0;
}

static int crail_close(struct net_device *ndev)
{
	struct crail_chan *ch = netdev_priv(ndev);

	netif_stop_queue(ndev);
	writel(CRAIL_MODE_RESET, ch->regs + CRAIL_REG_MODE);
	close_candev(ndev);

	return 0;
}

static netdev_tx_t crail_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	if (can_dev_dropped_skb(ndev, skb))
		return NETDEV_TX_OK;

	kfree_skb(skb);
	ndev->stats.tx_dropped++;

	return NETDEV_TX_OK;
}

static const struct net_device_ops crail_netdev_ops = {
	.ndo_open	= crail_open,
	.ndo_stop	= crail_close,
	.ndo_start_xmit	= crail_start_xmit,
};

static void crail_remove(struct pci_dev *pdev)
{
	struct crail_card *card = pci_get_drvdata(pdev);
	int i;

	for (i = 0; i < CRAIL_NR_CHANNELS; i++) {
		if (!card->ndev[i])
			continue;
		unregister_candev(card->ndev[i]);
		free_candev(card->ndev[i]);
	}
}

static int crail_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	void __iomem * const *iomap;
	struct crail_card *card;
	struct crail_chan *ch;
	int i, rc;

	card = devm_kzalloc(&pdev->dev, sizeof(*card), GFP_KERNEL);
	if (!card)
		return -ENOMEM;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	rc = pcim_iomap_regions(pdev, BIT(0) | BIT(1), DRV_NAME);
	if (rc)
		return rc;

	iomap = pcim_iomap_table(pdev);
	card->pdev = pdev;
	pci_set_drvdata(pdev, card);

	for (i = 0; i < CRAIL_NR_CHANNELS; i++) {
		struct net_device *ndev = alloc_candev(sizeof(*ch), 1);

		if (!ndev) {
			rc = -ENOMEM;
			goto err_remove;
		}

		ch = netdev_priv(ndev);
		ch->card = card;
		ch->regs = iomap[i];
		ch->can.clock.freq = CRAIL_CAN_CLOCK;
		ndev->netdev_ops = &crail_netdev_ops;
		SET_NETDEV_DEV(ndev, &pdev->dev);

		rc = register_candev(ndev);
		if (rc) {
			free_candev(ndev);
			goto err_remove;
		}
		card->ndev[i] = ndev;
	}

	return 0;

err_remove:
	crail_remove(pdev);
	return rc;
}

static const struct pci_device_id crail_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_CRAIL, PCI_DEVICE_ID_CRAIL_CC2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, crail_pci_ids);

static struct pci_driver crail_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= crail_pci_ids,
	.probe		= crail_probe,
	.remove		= crail_remove,
};
module_pci_driver(crail_pci_driver);

MODULE_DESCRIPTION("Crail CC-2 dual channel CAN card driver");
MODULE_AUTHOR("Iona Macphail <iona.macphail@example.org>");
MODULE_LICENSE("GPL");
