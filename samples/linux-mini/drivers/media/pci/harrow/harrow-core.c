// SPDX-License-Identifier: GPL-2.0-only
/*
 * Harrow Vision HV-4 four channel PCIe frame grabber
 *
 * Copyright (C) 2021 Harrow Vision
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_HARROW		0x1e91
#define PCI_DEVICE_ID_HARROW_HV4	0x0004

#define HARROW_NUM_DMA_CH		4

#define HARROW_REG_RESET		0x0000
#define HARROW_REG_IRQ_EN		0x0010
#define HARROW_REG_IRQ_STAT		0x0014
#define HARROW_REG_DMA_CTRL		0x0100

#define harrow_wr(hdev, reg, val)	writel((val), (hdev)->mmio + HARROW_REG_##reg)
#define harrow_rd(hdev, reg)		readl((hdev)->mmio + HARROW_REG_##reg)

/*
 * HARROW_CHECK() runs one init step, stores its result in the caller's
 * 'ret' and traces it.  The failure handling is an else branch written
 * right after it:
 *
 *	HARROW_CHECK(harrow_step(hdev))
 *	else
 *		goto out;
 */
#define HARROW_CHECK(expr)						\
	if ((ret = (expr)) >= 0)					\
		dev_dbg(&hdev->pdev->dev, "%s: %d\n", #expr, ret);

struct harrow_dev {
	struct pci_dev *pdev;
	void __iomem *mmio;
	int nvec;
};

static irqreturn_t harrow_irq(int irq, void *data)
{
	struct harrow_dev *hdev = data;
	u32 stat = harrow_rd(hdev, IRQ_STAT);

	if (!stat)
		return IRQ_NONE;

	harrow_wr(hdev, IRQ_STAT, stat);

	return IRQ_HANDLED;
}

static int harrow_reset(struct harrow_dev *hdev)
{
	harrow_wr(hdev, RESET, 1);

	return harrow_rd(hdev, RESET) ? -ETIMEDOUT : 0;
}

static int harrow_hw_init(struct harrow_dev *hdev)
{
	struct pci_dev *pdev = hdev->pdev;
	int ret;

	HARROW_CHECK(harrow_reset(hdev))
	else
		goto out;

	HARROW_CHECK(pci_alloc_irq_vectors(pdev, 1, HARROW_NUM_DMA_CH, PCI_IRQ_MSI))
	else
		goto out;
	hdev->nvec = ret;

	HARROW_CHECK(devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), harrow_irq, 0,
				      "harrow", hdev))
	else
		goto out;

	harrow_wr(hdev, IRQ_EN, GENMASK(HARROW_NUM_DMA_CH - 1, 0));
	harrow_wr(hdev, DMA_CTRL, 0);
	ret = 0;
out:
	return ret;
}

static int harrow_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct harrow_dev *hdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	hdev = devm_kzalloc(&pdev->dev, sizeof(*hdev), GFP_KERNEL);
	if (!hdev)
		return -ENOMEM;

	hdev->pdev = pdev;
	pci_set_master(pdev);

	hdev->mmio = pcim_iomap_region(pdev, 0, "harrow");
	if (IS_ERR(hdev->mmio))
		return PTR_ERR(hdev->mmio);

	ret = harrow_hw_init(hdev);
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "hardware init failed\n");

	pci_set_drvdata(pdev, hdev);

	return 0;
}

static const struct pci_device_id harrow_pci_tbl[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_HARROW, PCI_DEVICE_ID_HARROW_HV4) },
	{ }
};
MODULE_DEVICE_TABLE(pci, harrow_pci_tbl);

static struct pci_driver harrow_pci_driver = {
	.name		= "harrow",
	.id_table	= harrow_pci_tbl,
	.probe		= harrow_probe,
};
module_pci_driver(harrow_pci_driver);

MODULE_DESCRIPTION("Harrow Vision HV-4 frame grabber driver");
MODULE_AUTHOR("Beatrix Novak <beatrix.novak@example.org>");
MODULE_LICENSE("GPL");
