// SPDX-License-Identifier: GPL-2.0
/*
 * Dornoch DN-1G Ethernet controller
 *
 * One MSI-X vector per receive ring; the descriptor rings live in host
 * memory allocated at probe time.
 */
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/slab.h>

#define PCI_VENDOR_ID_DORNOCH		0x1d0c
#define PCI_DEVICE_ID_DORNOCH_DN1G	0x1001

#define DORNOCH_REG_CTRL		0x0000
#define DORNOCH_CTRL_RESET		BIT(31)
#define DORNOCH_MAX_RINGS		4

struct dornoch_ring {
	dma_addr_t dma;
	void *desc;
};

struct dornoch_priv {
	struct net_device *netdev;
	void __iomem *regs;
	struct dornoch_ring *rings;
	unsigned int nr_rings;
};

static const struct net_device_ops dornoch_netdev_ops = {
	.ndo_validate_addr	= eth_validate_addr,
};

static int dornoch_hw_reset(struct dornoch_priv *priv)
{
	writel(DORNOCH_CTRL_RESET, priv->regs + DORNOCH_REG_CTRL);

	return readl(priv->regs + DORNOCH_REG_CTRL) & DORNOCH_CTRL_RESET ? -ETIMEDOUT : 0;
}

static int dornoch_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct net_device *netdev;
	struct dornoch_priv *priv;
	int nvec, err;

	err = pcim_enable_device(pdev);
	if (err)
		return err;

	netdev = devm_alloc_etherdev(&pdev->dev, sizeof(*priv));
	if (!netdev)
		return -ENOMEM;

	SET_NETDEV_DEV(netdev, &pdev->dev);
	priv = netdev_priv(netdev);
	priv->netdev = netdev;
	priv->regs = pcim_iomap_region(pdev, 0, "dornoch");
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);

	nvec = pci_alloc_irq_vectors(pdev, 1, DORNOCH_MAX_RINGS, PCI_IRQ_MSIX);
	if (nvec < 0)
		return nvec;
	priv->nr_rings = nvec;

	priv->rings = devm_kcalloc(&pdev->dev, priv->nr_rings, sizeof(*priv->rings),
				   GFP_KERNEL);
	if (!priv->rings) {
		err = -ENOMEM;
		goto err_free;
	}

	err = dornoch_hw_reset(priv);
	if (err)
		goto err_free;

	netdev->netdev_ops = &dornoch_netdev_ops;
	pci_set_drvdata(pdev, priv);

	err = register_netdev(netdev);
	if (err)
		goto err_free;

	return 0;

err_free:
	pci_free_irq_vectors(pdev);
	return err;
}

static void dornoch_remove(struct pci_dev *pdev)
{
	struct dornoch_priv *priv = pci_get_drvdata(pdev);

	unregister_netdev(priv->netdev);
	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id dornoch_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_DORNOCH, PCI_DEVICE_ID_DORNOCH_DN1G) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dornoch_pci_ids);

static struct pci_driver dornoch_pci_driver = {
	.name		= "dornoch",
	.id_table	= dornoch_pci_ids,
	.probe		= dornoch_probe,
	.remove		= dornoch_remove,
};
module_pci_driver(dornoch_pci_driver);

MODULE_DESCRIPTION("Dornoch DN-1G Ethernet driver");
MODULE_AUTHOR("Fenella Quarrie <fenella.quarrie@example.org>");
MODULE_LICENSE("GPL");
