// SPDX-License-Identifier: GPL-2.0
/*
 * Alnmouth AR-1 hardware random number generator
 *
 * The generator raises an interrupt whenever its output FIFO has been
 * refilled; a blocking read waits for that interrupt.
 */
#include <linux/completion.h>
#include <linux/hw_random.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_ALNMOUTH		0x1c3d
#define PCI_DEVICE_ID_ALNMOUTH_AR1	0x0a01

#define ALNMOUTH_REG_CTRL		0x00
#define ALNMOUTH_REG_STATUS		0x04
#define ALNMOUTH_REG_FIFO		0x08
#define ALNMOUTH_CTRL_ENABLE		BIT(0)
#define ALNMOUTH_STATUS_READY		BIT(0)

struct alnmouth_rng {
	struct hwrng rng;
	void __iomem *regs;
	struct completion ready;
};

static irqreturn_t alnmouth_irq(int irq, void *data)
{
	struct alnmouth_rng *ar = data;

	if (!(readl(ar->regs + ALNMOUTH_REG_STATUS) & ALNMOUTH_STATUS_READY))
		return IRQ_NONE;

	complete(&ar->ready);

	return IRQ_HANDLED;
}

static int alnmouth_rng_read(struct hwrng *rng, void *buf, size_t max, bool wait)
{
	struct alnmouth_rng *ar = container_of(rng, struct alnmouth_rng, rng);

	if (!(readl(ar->regs + ALNMOUTH_REG_STATUS) & ALNMOUTH_STATUS_READY)) {
		if (!wait)
			return 0;
		wait_for_completion(&ar->ready);
	}

	*(u32 *)buf = readl(ar->regs + ALNMOUTH_REG_FIFO);

	return sizeof(u32);
}

static int alnmouth_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct alnmouth_rng *ar;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ar = devm_kzalloc(&pdev->dev, sizeof(*ar), GFP_KERNEL);
	if (!ar)
		return -ENOMEM;

	ar->regs = pcim_iomap_region(pdev, 0, "alnmouth-rng");
	if (IS_ERR(ar->regs))
		return PTR_ERR(ar->regs);

	init_completion(&ar->ready);
	ar->rng.name = "alnmouth";
	ar->rng.read = alnmouth_rng_read;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), alnmouth_irq,
			       IRQF_SHARED, "alnmouth-rng", ar);
	if (ret)
		goto err_free_vectors;

	ret = devm_hwrng_register(&pdev->dev, &ar->rng);
	if (ret) {
		dev_err(&pdev->dev, "failed to register the rng: %d\n", ret);
		goto err_free_vectors;
	}

	writel(ALNMOUTH_CTRL_ENABLE, ar->regs + ALNMOUTH_REG_CTRL);

	return 0;

err_free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

static const struct pci_device_id alnmouth_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_ALNMOUTH, PCI_DEVICE_ID_ALNMOUTH_AR1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, alnmouth_pci_ids);

static struct pci_driver alnmouth_rng_driver = {
	.name		= "alnmouth-rng",
	.id_table	= alnmouth_pci_ids,
	.probe		= alnmouth_probe,
};
module_pci_driver(alnmouth_rng_driver);

MODULE_DESCRIPTION("Alnmouth AR-1 hardware random number generator driver");
MODULE_AUTHOR("Elspeth Marr <elspeth.marr@example.org>");
MODULE_LICENSE("GPL");
