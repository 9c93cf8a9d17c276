acc8_acc.v
acc8.v
