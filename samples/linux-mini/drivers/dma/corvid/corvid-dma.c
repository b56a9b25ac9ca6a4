// SPDX-License-Identifier: GPL-2.0
/*
 * Corvid Logic CL-XDMA memory-to-memory DMA engine
 *
 * One MSI-X vector for controller errors plus one per channel; the channel
 * vectors are spread over the online CPUs.
 */
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_CORVID		0x1c9f
#define PCI_DEVICE_ID_CORVID_XDMA	0x4d01

#define CORVID_MAX_CHANNELS		16
#define CORVID_REG_CAP			0x00
#define CORVID_REG_CHAN_IRQ(n)		(0x100 + (n) * 0x40)
#define CORVID_CAP_NCHAN(cap)		((cap) & 0x1f)

struct corvid_chan {
	struct dma_chan chan;
	void __iomem *regs;
};

struct corvid_dma {
	struct dma_device dma;
	void __iomem *base;
	unsigned int nchan;
	struct corvid_chan chans[CORVID_MAX_CHANNELS];
};

static irqreturn_t corvid_chan_irq(int irq, void *data)
{
	struct corvid_chan *cc = data;

	writel(~0U, cc->regs);

	return IRQ_HANDLED;
}

static int corvid_setup_irqs(struct pci_dev *pdev, struct corvid_dma *cd)
{
	struct irq_affinity desc = { .pre_vectors = 1 };
	unsigned int i;
	int nvec, ret;

	nvec = pci_alloc_irq_vectors_affinity(pdev, 2, cd->nchan + 1,
					      PCI_IRQ_MSIX | PCI_IRQ_AFFINITY, &desc);
	if (nvec < 0)
		return nvec;

	/* Fewer vectors than channels: only use as many channels as we got */
	cd->nchan = min(cd->nchan, nvec - 1U);

	for (i = 0; i < cd->nchan; i++) {
		struct corvid_chan *cc = &cd->chans[i];

		cc->regs = cd->base + CORVID_REG_CHAN_IRQ(i);
		ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, i + 1), corvid_chan_irq,
				       0, "corvid-dma", cc);
		if (ret)
			return ret;
	}

	return 0;
}

static int corvid_dma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct corvid_dma *cd;
	int ret;

	cd = devm_kzalloc(&pdev->dev, sizeof(*cd), GFP_KERNEL);
	if (!cd)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	pci_set_master(pdev);

	cd->base = pcim_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(cd->base))
		return PTR_ERR(cd->base);

	cd->nchan = CORVID_CAP_NCHAN(readl(cd->base + CORVID_REG_CAP));
	if (!cd->nchan || cd->nchan > CORVID_MAX_CHANNELS)
		return -ENODEV;

	ret = corvid_setup_irqs(pdev, cd);
	if (ret)
		return ret;

	dma_cap_set(DMA_MEMCPY, cd->dma.cap_mask);
	cd->dma.dev = &pdev->dev;
	pci_set_drvdata(pdev, cd);

	return dmaenginem_async_device_register(&cd->dma);
}

static const struct pci_device_id corvid_dma_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_CORVID, PCI_DEVICE_ID_CORVID_XDMA) },
	{ }
};
MODULE_DEVICE_TABLE(pci, corvid_dma_ids);

static struct pci_driver corvid_dma_pci_driver = {
	.name		= "corvid-dma",
	.id_table	= corvid_dma_ids,
	.probe		= corvid_dma_probe,
};
module_pci_driver(corvid_dma_pci_driver);

MODULE_DESCRIPTION("Corvid Logic CL-XDMA DMA engine driver");
MODULE_AUTHOR("Ines Achterberg <ines.achterberg@example.com>");
MODULE_LICENSE("GPL");
