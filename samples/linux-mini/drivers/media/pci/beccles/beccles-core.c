// SPDX-License-Identifier: GPL-2.0-only
/*
 * Beccles BV-2 video capture card
 *
 * Two board revisions exist: the first has its registers in BAR 0 only,
 * the second adds a frame buffer aperture in BAR 2.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <media/v4l2-device.h>

#define DRV_NAME			"beccles"

#define PCI_VENDOR_ID_BECCLES		0x1f12
#define PCI_DEVICE_ID_BECCLES_BV2	0x0b02

#define BECCLES_REG_CTRL		0x00
#define BECCLES_REG_IRQ_STATUS		0x04
#define BECCLES_CTRL_CAPTURE		BIT(0)

struct beccles_dev {
	struct v4l2_device v4l2_dev;
	struct pci_dev *pdev;
	void __iomem *mmio;
	unsigned int frames;
};

static irqreturn_t beccles_irq(int irq, void *data)
{
	struct beccles_dev *dev = data;
	u32 status;

	status = readl(dev->mmio + BECCLES_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;

	writel(status, dev->mmio + BECCLES_REG_IRQ_STATUS);
	dev->frames++;

	return IRQ_HANDLED;
}

static int beccles_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int bars = pci_select_bars(pdev, IORESOURCE_MEM);
	struct beccles_dev *dev;
	int ret;

	dev = devm_kzalloc(&pdev->dev, sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ret = pcim_iomap_regions(pdev, bars, DRV_NAME);
	if (ret)
		return ret;

	dev->mmio = pcim_iomap_table(pdev)[0];
	dev->pdev = pdev;
	pci_set_master(pdev);

	ret = v4l2_device_register(&pdev->dev, &dev->v4l2_dev);
	if (ret)
		return ret;

	ret = devm_request_irq(&pdev->dev, pdev->irq, beccles_irq, IRQF_SHARED, DRV_NAME, dev);
	if (ret) {
		v4l2_device_unregister(&dev->v4l2_dev);
		return ret;
	}

	writel(BECCLES_CTRL_CAPTURE, dev->mmio + BECCLES_REG_CTRL);

	return 0;
}

static void beccles_remove(struct pci_dev *pdev)
{
	struct v4l2_device *v4l2_dev = pci_get_drvdata(pdev);
	struct beccles_dev *dev = container_of(v4l2_dev, struct beccles_dev, v4l2_dev);

	writel(0, dev->mmio + BECCLES_REG_CTRL);
	v4l2_device_unregister(&dev->v4l2_dev);
}

static const struct pci_device_id beccles_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_BECCLES, PCI_DEVICE_ID_BECCLES_BV2) },
	{ }
};
MODULE_DEVICE_TABLE(pci, beccles_pci_ids);

static struct pci_driver beccles_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= beccles_pci_ids,
	.probe		= beccles_probe,
	.remove		= beccles_remove,
};
module_pci_driver(beccles_pci_driver);

MODULE_DESCRIPTION("Beccles BV-2 video capture card driver");
MODULE_AUTHOR("Imogen Thorley <imogen.thorley@example.com>");
MODULE_LICENSE("GPL");
