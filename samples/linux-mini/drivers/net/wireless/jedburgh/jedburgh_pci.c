// SPDX-License-Identifier: ISC
/*
 * Jedburgh JW-6 802.11ax PCIe adapter.  Behind a Jedburgh offload bridge the
 * bridge delivers its interrupt; otherwise one PCI vector of any type is used.
 */
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/soc/jedburgh/offload.h>
#include <net/mac80211.h>

struct jedburgh_dev {
	struct ieee80211_hw *hw;
	void __iomem *regs;
	struct jw_offload *offload;
};

static const struct ieee80211_ops jedburgh_ops = { };

static irqreturn_t jedburgh_irq_handler(int irq, void *data)
{
	struct jedburgh_dev *jd = data;

	u32 status = readl(jd->regs);

	writel(status, jd->regs);
	return status ? IRQ_HANDLED : IRQ_NONE;
}

static int jedburgh_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ieee80211_hw *hw;
	struct jedburgh_dev *jd;
	int irq, ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	hw = ieee80211_alloc_hw(sizeof(*jd), &jedburgh_ops);
	if (!hw)
		return -ENOMEM;

	jd = hw->priv;
	jd->hw = hw;
	pci_set_drvdata(pdev, jd);

	jd->regs = pcim_iomap_region(pdev, 0, "jedburgh");
	if (IS_ERR(jd->regs)) {
		ret = PTR_ERR(jd->regs);
		goto free_device;
	}

	jd->offload = jw_offload_attach(&pdev->dev, &irq);
	if (IS_ERR(jd->offload)) {
		ret = PTR_ERR(jd->offload);
		goto free_device;
	}

	if (!jd->offload) {
		ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
		if (ret < 0)
			goto free_device;

		irq = pci_irq_vector(pdev, 0);
	}

	ret = devm_request_irq(&pdev->dev, irq, jedburgh_irq_handler, IRQF_SHARED,
			       KBUILD_MODNAME, jd);
	if (ret)
		goto free_offload_or_irq_vector;

	ret = ieee80211_register_hw(hw);
	if (ret)
		goto free_offload_or_irq_vector;

	return 0;

free_offload_or_irq_vector:
	if (jd->offload)
		jw_offload_detach(jd->offload);
	else
		pci_free_irq_vectors(pdev);
free_device:
	ieee80211_free_hw(hw);

	return ret;
}

static void jedburgh_pci_remove(struct pci_dev *pdev)
{
	struct jedburgh_dev *jd = pci_get_drvdata(pdev);

	ieee80211_unregister_hw(jd->hw);
	if (jd->offload) {
		jw_offload_detach(jd->offload);
		dev_dbg(&pdev->dev, "offload bridge detached\n");
	} else {
		pci_free_irq_vectors(pdev);
	}
	ieee80211_free_hw(jd->hw);
}

static const struct pci_device_id jedburgh_pci_ids[] = {
	{ PCI_DEVICE(0x1c6e, 0x6006) },	/* JW-6 */
	{ }
};
MODULE_DEVICE_TABLE(pci, jedburgh_pci_ids);

static struct pci_driver jedburgh_pci_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= jedburgh_pci_ids,
	.probe		= jedburgh_pci_probe,
	.remove		= jedburgh_pci_remove,
};
module_pci_driver(jedburgh_pci_driver);

MODULE_DESCRIPTION("Jedburgh JW-6 802.11ax PCIe wireless driver");
MODULE_AUTHOR("Ailsa Kerr-Brodie <ailsa.kerr-brodie@example.org>");
MODULE_LICENSE("Dual BSD/GPL");
