"""Chinese text: Traditional to Simplified, numbers in words, jieba tokens, dates, masking
ID, phone and bank card numbers. The bottom layer of policy_kb: imports nothing of policy_kb."""
