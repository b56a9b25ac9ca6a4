// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wystan WY-1G Gigabit Ethernet controller driver
 *
 * Early board revisions advertise MSI-X but deliver nothing on the queue
 * vectors.  The driver tests vector 1 after requesting it and, if the
 * self-test interrupt never arrives, starts over with a single MSI.
 */
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_WYSTAN		0x1c3d
#define PCI_DEVICE_ID_WYSTAN_WY1G	0x1000

#define WYSTAN_NUM_QUEUES		4
#define WYSTAN_REG_IRQ_TEST		0x0200
#define WYSTAN_REG_IRQ_CAUSE		0x0204

struct wystan_priv {
	struct net_device *netdev;
	void __iomem *regs;
	unsigned int nvec;
	bool test_irq_seen;
};

static irqreturn_t wystan_irq(int irq, void *data)
{
	struct wystan_priv *priv = data;
	u32 cause = readl(priv->regs + WYSTAN_REG_IRQ_CAUSE);

	if (!cause)
		return IRQ_NONE;

	writel(cause, priv->regs + WYSTAN_REG_IRQ_CAUSE);
	WRITE_ONCE(priv->test_irq_seen, true);

	return IRQ_HANDLED;
}

static bool wystan_msix_works(struct pci_dev *pdev, struct wystan_priv *priv)
{
	if (devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 1), wystan_irq, 0,
			     "wystan-test", priv))
		return false;

	writel(1, priv->regs + WYSTAN_REG_IRQ_TEST);
	msleep(20);
	devm_free_irq(&pdev->dev, pci_irq_vector(pdev, 1), priv);

	return READ_ONCE(priv->test_irq_seen);
}

static int wystan_init_irqs(struct pci_dev *pdev, struct wystan_priv *priv)
{
	int nvec;

	nvec = pci_alloc_irq_vectors(pdev, WYSTAN_NUM_QUEUES + 1, WYSTAN_NUM_QUEUES + 1,
				     PCI_IRQ_MSIX);
	if (nvec > 0 && wystan_msix_works(pdev, priv)) {
		priv->nvec = nvec;
		return 0;
	}

	if (nvec > 0) {
		dev_warn(&pdev->dev, "MSI-X self-test failed, falling back to MSI\n");
		pci_free_irq_vectors(pdev);
	}

	nvec = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (nvec < 0)
		return nvec;

	priv->nvec = nvec;

	return 0;
}

static const struct net_device_ops wystan_netdev_ops = {
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_mac_address	= eth_mac_addr,
};

static int wystan_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct net_device *netdev;
	struct wystan_priv *priv;
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

	priv->regs = pcim_iomap_region(pdev, 0, "wystan");
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);

	ret = wystan_init_irqs(pdev, priv);
	if (ret)
		return ret;

	netdev->netdev_ops = &wystan_netdev_ops;
	eth_hw_addr_random(netdev);
	pci_set_drvdata(pdev, priv);

	return devm_register_netdev(&pdev->dev, netdev);
}

static const struct pci_device_id wystan_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_WYSTAN, PCI_DEVICE_ID_WYSTAN_WY1G) },
	{ }
};
MODULE_DEVICE_TABLE(pci, wystan_pci_tbl);

static struct pci_driver wystan_pci_driver = {
	.name		= "wystan",
	.id_table	= wystan_pci_tbl,
	.probe		= wystan_probe,
};
module_pci_driver(wystan_pci_driver);

MODULE_DESCRIPTION("Wystan WY-1G Gigabit Ethernet driver");
MODULE_AUTHOR("Anneliese Quist <anneliese.quist@example.org>");
MODULE_LICENSE("GPL");
