// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fowey FD-8 memory-to-memory DMA engine
 *
 * Eight channels, each with its own MSI vector; the number of channels in
 * use is read from the engine's capability register.
 */
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_FOWEY		0x1f0e
#define PCI_DEVICE_ID_FOWEY_FD8		0x00d8

#define FOWEY_REG_CAP			0x00
#define FOWEY_REG_CH_STATUS(ch)		(0x100 + (ch) * 0x40)
#define FOWEY_CAP_NR_CHAN(cap)		(((cap) & 0xf) ?: 1)
#define FOWEY_MAX_CHAN			8

struct fowey_dma {
	struct dma_device dma;
	void __iomem *regs;
	unsigned int nr_chan;
};

static irqreturn_t fowey_chan_irq(int irq, void *data)
{
	struct fowey_dma *fd = data;
	unsigned int ch = irq - pci_irq_vector(to_pci_dev(fd->dma.dev), 0);

	writel(~0, fd->regs + FOWEY_REG_CH_STATUS(ch));

	return IRQ_HANDLED;
}

static int fowey_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct fowey_dma *fd;
	unsigned int i;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	fd = devm_kzalloc(dev, sizeof(*fd), GFP_KERNEL);
	if (!fd)
		return -ENOMEM;

	fd->regs = pcim_iomap_region(pdev, 0, "fowey-dma");
	if (IS_ERR(fd->regs))
		return PTR_ERR(fd->regs);

	fd->nr_chan = min(FOWEY_CAP_NR_CHAN(readl(fd->regs + FOWEY_REG_CAP)), FOWEY_MAX_CHAN);
	fd->dma.dev = dev;

	/* This will be freed by 'pcim_release()'. See 'pcim_enable_device()' */
	ret = pci_alloc_irq_vectors(pdev, fd->nr_chan, fd->nr_chan, PCI_IRQ_MSI);
	if (ret < 0) {
		dev_err(dev, "Failed to allocate MSI vectors!\n");
		return ret;
	}

	for (i = 0; i < fd->nr_chan; i++) {
		ret = devm_request_irq(dev, pci_irq_vector(pdev, i), fowey_chan_irq, 0,
				       "fowey-dma", fd);
		if (ret)
			return ret;
	}

	return dmaenginem_async_device_register(&fd->dma);
}

static const struct pci_device_id fowey_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_FOWEY, PCI_DEVICE_ID_FOWEY_FD8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, fowey_pci_ids);

static struct pci_driver fowey_dma_pci_driver = {
	.name		= "fowey-dma",
	.id_table	= fowey_pci_ids,
	.probe		= fowey_probe,
};
module_pci_driver(fowey_dma_pci_driver);

MODULE_DESCRIPTION("Fowey FD-8 DMA engine driver");
MODULE_AUTHOR("Lowenna Pascoe <lowenna.pascoe@example.org>");
MODULE_LICENSE("GPL");
