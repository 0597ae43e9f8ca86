"""The peacetime/emergency switch (平急转换, 福州): a subtree switched to emergency mode, its
registered members and emergency teams called up by home grid, their tasks and check-ins."""
