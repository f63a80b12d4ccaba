import { fileURLToPath } from "node:url";
import { demoConfig } from "@webkeras/demo-common/vite";

export default demoConfig(fileURLToPath(new URL(".", import.meta.url)));
