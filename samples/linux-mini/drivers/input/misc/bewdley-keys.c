// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bewdley BK-4 front panel keys
 *
 * Four push buttons on a small PCIe card; every press or release latches
 * the key state and raises one interrupt.
 */
#include <linux/input.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#define PCI_VENDOR_ID_BEWDLEY		0x1b7e
#define PCI_DEVICE_ID_BEWDLEY_BK4	0x0004

#define BEWDLEY_REG_STATE		0x00
#define BEWDLEY_REG_IRQ_ACK		0x04
#define BEWDLEY_NR_KEYS			4

static const unsigned short bewdley_keycodes[BEWDLEY_NR_KEYS] = {
	KEY_PROG1, KEY_PROG2, KEY_PROG3, KEY_PROG4,
};

struct bewdley_keys {
	struct input_dev *input;
	void __iomem *regs;
};

static irqreturn_t bewdley_keys_irq(int irq, void *data)
{
	struct bewdley_keys *bk = data;
	u32 state = readl(bk->regs + BEWDLEY_REG_STATE);
	int i;

	writel(1, bk->regs + BEWDLEY_REG_IRQ_ACK);
	for (i = 0; i < BEWDLEY_NR_KEYS; i++)
		input_report_key(bk->input, bewdley_keycodes[i], state & BIT(i));
	input_sync(bk->input);

	return IRQ_HANDLED;
}

static int bewdley_keys_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct bewdley_keys *bk;
	int i, ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	bk = devm_kzalloc(&pdev->dev, sizeof(*bk), GFP_KERNEL);
	if (!bk)
		return -ENOMEM;

	bk->regs = pcim_iomap_region(pdev, 0, "bewdley-keys");
	if (IS_ERR(bk->regs))
		return PTR_ERR(bk->regs);

	bk->input = devm_input_allocate_device(&pdev->dev);
	if (!bk->input)
		return -ENOMEM;

	bk->input->name = "Bewdley front panel keys";
	bk->input->phys = "bewdley-keys/input0";
	for (i = 0; i < BEWDLEY_NR_KEYS; i++)
		input_set_capability(bk->input, EV_KEY, bewdley_keycodes[i]);

	ret = input_register_device(bk->input);
	if (ret)
		return ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;

	ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0), bewdley_keys_irq,
			       IRQF_SHARED, "bewdley-keys", bk);
	if (ret)
		goto err_free_vectors;

	return 0;

err_free_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

static const struct pci_device_id bewdley_keys_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_BEWDLEY, PCI_DEVICE_ID_BEWDLEY_BK4) },
	{ }
};
MODULE_DEVICE_TABLE(pci, bewdley_keys_ids);

static struct pci_driver bewdley_keys_driver = {
	.name		= "bewdley-keys",
	.id_table	= bewdley_keys_ids,
	.probe		= bewdley_keys_probe,
};
module_pci_driver(bewdley_keys_driver);

MODULE_DESCRIPTION("Bewdley BK-4 front panel keys driver");
MODULE_AUTHOR("Rhodri Pemberton <rhodri.pemberton@example.com>");
MODULE_LICENSE("GPL");
