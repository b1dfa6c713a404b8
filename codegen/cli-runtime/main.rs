fn main() {
    std::process::exit(atlas_backup_cli::main());
}
